"""Toegangsbeheer (SPEC §3, §8): partner administrators manage the users of their own
vestiging; the agency decides in the Wagtail admin; everything leaves an audit record."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from wagtail.models import Page

from cms_extranet.access import user_profiles
from cms_extranet.access_management.models import (
    AccessRequest,
    AuditAction,
    AuditRecord,
    RequestStatus,
)
from cms_extranet.models import Organisation, PartnerAccount, Profile, ProfileGrant, Vestiging

pytestmark = pytest.mark.django_db

ACCESS = "VDAB: Je toegang tot Extranet"
GRANTED = "No reply: Je aangevraagde toegangsrechten werden toegekend."
REJECTED = "No reply: Je aangevraagde toegangsrechten werden afgewezen."


def account(username):
    return PartnerAccount.objects.select_related("user").get(user__username=username)


def profile(code):
    return Profile.objects.get(code=code)


def fresh_profiles(username):
    """The profiles as the user's next request sees them."""
    return user_profiles(get_user_model().objects.get(username=username))


def user_page(pk):
    return f"/toegangsbeheer/gebruikers/{pk}/"


def body(response):
    return response.content.decode()


def denied(response):
    """The Wagtail admin answers a forbidden action with a redirect to its dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def audit_trail():
    return list(AuditRecord.objects.order_by("pk").values_list("action", "actor_name", "subject"))


# Who reaches Toegangsbeheer


def test_anonymous_visitors_are_sent_to_the_login():
    response = Client().get("/toegangsbeheer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/?next=/toegangsbeheer/")


@pytest.mark.parametrize("username", ["mlp.partner", "uitbetaling.medewerker", "werkgever", "redacteur", "toegang.vdab"])
def test_only_administrators_of_a_vestiging_reach_it(login, username):
    response = login(username).get("/toegangsbeheer/")
    assert response.status_code == 403
    assert "enkel voor de administrators van een vestiging" in body(response)
    assert login(username).post("/toegangsbeheer/gebruikers/nieuw/", {"email": "x@example.be"}).status_code == 403


def test_the_administrator_sees_only_the_users_of_their_own_vestiging(login):
    html = body(login("uitbetaling.admin").get("/toegangsbeheer/"))
    assert "Louise Goossens" in html and "Tom Wouters" in html
    for other in ("Marie Peeters", "Sofie Maes", "Lotte Dubois"):
        assert other not in html
    assert "Toegekend" in html  # Louise holds uitbetaling
    response = login("uitbetaling.admin").get("/toegangsbeheer/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_anything_of_another_vestiging_is_a_404_and_changes_nothing(login, mlp_admin):
    admin = login("uitbetaling.admin")
    other = account("mlp.partner")
    before = (set(fresh_profiles("mlp.partner")), other.is_administrator, AuditRecord.objects.count())
    assert admin.get(user_page(other.pk)).status_code == 404
    assert admin.post(user_page(other.pk), {"profiles": []}).status_code == 404
    assert admin.post(user_page(other.pk), {"profiles": [profile("mlp").pk]}).status_code == 404
    assert admin.post(user_page(other.pk) + "administrator/", {"administrator": "1"}).status_code == 404
    assert admin.get(user_page(999999)).status_code == 404
    other.refresh_from_db()
    assert (set(fresh_profiles("mlp.partner")), other.is_administrator, AuditRecord.objects.count()) == before


# Creating a user


def test_creating_a_user_mails_the_login_and_a_single_use_password_link(login, committed, mailoutbox):
    admin = login("uitbetaling.admin")
    response = committed(
        admin.post, "/toegangsbeheer/gebruikers/nieuw/",
        {"first_name": "Eva", "last_name": "Nieuw", "email": "Eva.Nieuw@Hulpkas.be"},
    )
    created = account("eva.nieuw@hulpkas.be")
    assert response["Location"] == user_page(created.pk)
    assert created.vestiging == account("uitbetaling.admin").vestiging
    assert not created.user.has_usable_password()
    assert fresh_profiles("eva.nieuw@hulpkas.be") == frozenset()

    [mail] = mailoutbox
    assert mail.subject == ACCESS and mail.to == ["eva.nieuw@hulpkas.be"]
    assert "Je login: eva.nieuw@hulpkas.be" in mail.body
    link = re.search(r"http://testserver(/wachtwoord-kiezen/\S+/)", mail.body).group(1)

    visitor = Client()
    form = visitor.get(link, follow=True)
    assert "Je wachtwoord heeft minstens 8 tekens nodig." in body(form)
    assert "Uw " not in body(form)  # the site says "je", also in Django's password rules
    form_url = form.redirect_chain[-1][0]
    response = visitor.post(form_url, {"new_password1": "Zeer-geheim-2026", "new_password2": "Zeer-geheim-2026"})
    assert response["Location"] == "/inloggen/"
    assert visitor.login(username="eva.nieuw@hulpkas.be", password="Zeer-geheim-2026")
    assert "hij werd al gebruikt of is vervallen" in body(Client().get(link, follow=True))
    assert audit_trail() == [(AuditAction.USER_CREATED, "Tom Wouters", "Eva Nieuw")]


def test_an_expired_password_link_does_not_work(login, committed, mailoutbox, settings):
    committed(
        login("uitbetaling.admin").post, "/toegangsbeheer/gebruikers/nieuw/",
        {"first_name": "Eva", "last_name": "Nieuw", "email": "eva@hulpkas.be"},
    )
    link = re.search(r"http://testserver(/wachtwoord-kiezen/\S+/)", mailoutbox[0].body).group(1)
    settings.PASSWORD_RESET_TIMEOUT = -1
    html = body(Client().get(link, follow=True))
    assert "hij werd al gebruikt of is vervallen" in html and "new_password1" not in html


def test_a_new_user_is_refused_with_the_typed_text_kept(login, committed, mailoutbox):
    admin = login("uitbetaling.admin")
    users = get_user_model().objects.count()
    response = admin.post("/toegangsbeheer/gebruikers/nieuw/", {"first_name": "Eva", "last_name": "Nieuw", "email": "eva@"})
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in" in body(response)
    assert 'value="Nieuw"' in body(response) and 'value="eva@"' in body(response)
    response = committed(
        admin.post, "/toegangsbeheer/gebruikers/nieuw/",
        {"first_name": "Louise", "last_name": "Dubbel", "email": "UITBETALING.MEDEWERKER@example.be"},
    )
    assert "Er bestaat al een gebruiker met het e-mailadres" in body(response)
    assert get_user_model().objects.count() == users and mailoutbox == [] and AuditRecord.objects.count() == 0


# Requesting and withdrawing profiles


def test_a_profile_without_approval_takes_effect_at_once(login, mlp_admin, committed):
    admin = login("mlp.admin")
    staff = account("loopbaan.partner")
    assert "mlp" not in fresh_profiles("loopbaan.partner")
    response = committed(admin.post, user_page(staff.pk), {"profiles": [profile("mlp").pk]})
    assert response.status_code == 302
    assert "mlp" in fresh_profiles("loopbaan.partner")
    request = AccessRequest.objects.get(account=staff)
    assert request.status == RequestStatus.GRANTED and request.requested_by.username == "mlp.admin"
    assert [a for a, *_ in audit_trail()] == [AuditAction.REQUESTED, AuditAction.GRANTED]
    html = body(admin.get(user_page(staff.pk)))
    assert "Toegekend" in html


def test_uitbetaling_waits_for_the_agency(login, committed, mailoutbox):
    admin = login("uitbetaling.admin")
    staff = account("uitbetaling.admin")  # the administrator requests it for themselves
    committed(admin.post, user_page(staff.pk), {"profiles": [profile("uitbetaling").pk]})
    assert "uitbetaling" not in fresh_profiles("uitbetaling.admin")
    assert AccessRequest.objects.get(account=staff).status == RequestStatus.PENDING
    html = body(admin.get(user_page(staff.pk), follow=True))
    assert "Wacht op goedkeuring door VDAB" in html
    assert mailoutbox == []


@pytest.mark.parametrize(
    "username, code, message",
    [
        ("das.partner", "mlp", "enkel aanvragen als je organisatie registreert in MLP"),
        ("das.partner", "das", "kan een administrator niet aanvragen"),
        ("das.partner", "uitbetaling", "geen uitbetalingsinstelling"),
        ("loopbaan.partner", "loopbaan", "al via het toepassingsrecht Registreer loopbaancheques"),
    ],
)
def test_a_profile_the_administrator_may_not_request_is_refused_and_nothing_is_saved(
    login, django_user_model, username, code, message
):
    staff = account(username)
    administrator = django_user_model.objects.create_user("beheerder", "beheerder@example.be", "x")
    PartnerAccount.objects.create(user=administrator, vestiging=staff.vestiging, is_administrator=True)
    before = fresh_profiles(username)
    # a valid choice beside the refused one is not saved either
    other = profile("loopbaan" if code != "loopbaan" else "mlp")
    response = login("beheerder").post(user_page(staff.pk), {"profiles": [profile(code).pk, other.pk]})
    assert response.status_code == 200
    assert "Er werd niets bewaard" in body(response) and message in body(response)
    assert AccessRequest.objects.count() == 0 and AuditRecord.objects.count() == 0
    assert fresh_profiles(username) == before


def test_uitbetaling_is_refused_while_the_vestiging_has_no_access(login, django_user_model):
    hulpkas = Organisation.objects.get(is_uitbetalingsinstelling=True)
    vestiging = Vestiging.objects.create(organisation=hulpkas, name="Brussel Zuid")
    user = django_user_model.objects.create_user("zuid.admin", "zuid@example.be", "x")
    administrator = PartnerAccount.objects.create(user=user, vestiging=vestiging, is_administrator=True)
    response = login("zuid.admin").post(user_page(administrator.pk), {"profiles": [profile("uitbetaling").pk]})
    assert "Je vestiging heeft nog geen toegang tot Extranet voor Uitbetalingsinstellingen" in body(response)
    assert AccessRequest.objects.count() == 0


def test_withdrawing_a_right_removes_it_on_the_next_request(login, committed):
    admin = login("uitbetaling.admin")
    staff = account("uitbetaling.medewerker")
    secured = Page.objects.get(url_path="/extranet/uitbetalingsinstellingen/")
    assert Client().get(secured.url).status_code == 302
    reader = Client()
    reader.force_login(staff.user)
    assert reader.get(secured.url).status_code == 200
    committed(admin.post, user_page(staff.pk), {"profiles": []})
    assert reader.get(secured.url).status_code == 403
    assert not ProfileGrant.objects.filter(account=staff).exists()
    assert audit_trail() == [(AuditAction.WITHDRAWN, "Tom Wouters", "Louise Goossens")]


# The agency decides


@pytest.fixture
def pending(login, committed):
    staff = account("uitbetaling.medewerker")
    ProfileGrant.objects.filter(account=staff).delete()
    committed(login("uitbetaling.admin").post, user_page(staff.pk), {"profiles": [profile("uitbetaling").pk]})
    return AccessRequest.objects.get(account=staff, status=RequestStatus.PENDING)


def decide_url(request):
    return f"/admin/extranet_access/accessrequest/decide/{request.pk}/"


def test_access_officers_see_what_waits_for_their_decision_on_the_dashboard(login, pending):
    html = body(login("toegang.vdab").get("/admin/"))
    assert "Wacht op je beslissing" in html and "1 aanvraag voor toegang" in html
    assert decide_url(pending) in html and "Louise Goossens" in html
    assert "/static/cms_extranet/admin.css" in html  # listings wrap between words, not in them
    editor = body(login("redacteur").get("/admin/"))
    assert "Wacht op je beslissing" not in editor and decide_url(pending) not in editor


def test_access_officers_list_pending_requests_with_filters(login, pending):
    officer = login("toegang.vdab")
    index = "/admin/extranet_access/accessrequest/"
    html = body(officer.get(index))
    assert "Louise Goossens" in html and decide_url(pending) in html
    vestiging = pending.account.vestiging
    for query, shown in [
        (f"?account__vestiging__organisation__id__exact={vestiging.organisation_id}", True),
        (f"?account__vestiging__id__exact={vestiging.pk}", True),
        (f"?account__vestiging__id__exact={account('mlp.partner').vestiging_id}", False),
        (f"?profile__id__exact={pending.profile_id}", True),
        (f"?profile__id__exact={profile('mlp').pk}", False),
        ("?leeftijd=vandaag", True),
        ("?leeftijd=ouder", False),
        ("?status__exact=pending", True),
    ]:
        response = officer.get(index + query)
        assert response.status_code == 200
        assert ("Louise Goossens" in body(response)) is shown, query


def test_approval_mails_the_grant_then_the_access_and_gives_the_profile(login, pending, committed, mailoutbox):
    response = committed(login("toegang.vdab").post, decide_url(pending), {"besluit": "goedkeuren", "reason": ""})
    assert response.status_code == 302
    assert "uitbetaling" in fresh_profiles("uitbetaling.medewerker")
    pending.refresh_from_db()
    assert pending.status == RequestStatus.GRANTED and pending.decided_by.username == "toegang.vdab"
    assert [(m.subject, m.to) for m in mailoutbox] == [
        (GRANTED, ["uitbetaling.medewerker@example.be"]),
        (ACCESS, ["uitbetaling.medewerker@example.be"]),
    ]
    assert "Extranet voor Uitbetalingsinstellingen" in mailoutbox[0].body
    assert "Je login: uitbetaling.medewerker" in mailoutbox[1].body
    assert audit_trail()[-1] == (AuditAction.GRANTED, "Tine Toegang", "Louise Goossens")


def test_rejection_needs_a_reason_mails_it_and_gives_no_access(login, pending, committed, mailoutbox):
    officer = login("toegang.vdab")
    response = committed(officer.post, decide_url(pending), {"besluit": "afwijzen", "reason": "  "})
    assert response.status_code == 200 and "Geef de reden waarom je de aanvraag afwijst" in body(response)
    assert mailoutbox == []
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING

    committed(officer.post, decide_url(pending), {"besluit": "afwijzen", "reason": "Geen ondertekend formulier."})
    pending.refresh_from_db()
    assert pending.status == RequestStatus.REJECTED
    assert "uitbetaling" not in fresh_profiles("uitbetaling.medewerker")
    [mail] = mailoutbox
    assert mail.subject == REJECTED and "Reden: Geen ondertekend formulier." in mail.body
    assert AuditRecord.objects.latest("pk").reason == "Geen ondertekend formulier."
    # decided once: no second decision
    assert denied(officer.post(decide_url(pending), {"besluit": "goedkeuren"}))
    assert "uitbetaling" not in fresh_profiles("uitbetaling.medewerker")


def test_nobody_decides_on_a_request_they_made(login, django_user_model, committed):
    """An administrator who is also an access officer cannot approve their own request."""
    from django.contrib.auth.models import Group

    admin = django_user_model.objects.get(username="uitbetaling.admin")
    admin.groups.add(Group.objects.get(name="Toegangsbeheerders VDAB"))
    staff = account("uitbetaling.medewerker")
    ProfileGrant.objects.filter(account=staff).delete()
    client = login("uitbetaling.admin")
    committed(client.post, user_page(staff.pk), {"profiles": [profile("uitbetaling").pk]})
    request = AccessRequest.objects.get(account=staff)
    assert decide_url(request) not in body(client.get("/admin/extranet_access/accessrequest/"))
    assert denied(client.post(decide_url(request), {"besluit": "goedkeuren"}))
    assert "uitbetaling" not in fresh_profiles("uitbetaling.medewerker")


def test_editors_cannot_decide_and_access_officers_cannot_edit_pages(login, pending):
    editor = login("redacteur")
    assert denied(editor.get(decide_url(pending)))
    assert denied(editor.post(decide_url(pending), {"besluit": "goedkeuren"}))
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    officer = login("toegang.vdab")
    page = Page.objects.get(url_path="/extranet/uitbetalingsinstellingen/")
    assert denied(officer.get(f"/admin/pages/{page.pk}/edit/"))
    assert denied(officer.get(f"/admin/pages/{page.pk}/add_subpage/"))


# Administrators


def test_at_most_two_administrators_per_vestiging(login, committed):
    admin = login("uitbetaling.admin")
    staff = account("uitbetaling.medewerker")
    committed(admin.post, user_page(staff.pk) + "administrator/", {"administrator": "1"})
    staff.refresh_from_db()
    assert staff.is_administrator
    third = committed(
        admin.post, "/toegangsbeheer/gebruikers/nieuw/",
        {"first_name": "Derde", "last_name": "Admin", "email": "derde@hulpkas.be"},
    )
    newcomer = account("derde@hulpkas.be")
    response = admin.post(user_page(newcomer.pk) + "administrator/", {"administrator": "1"}, follow=True)
    assert "hoogstens 2 administrators" in body(response)
    newcomer.refresh_from_db()
    assert not newcomer.is_administrator and third.status_code == 302
    assert PartnerAccount.objects.filter(vestiging=staff.vestiging, is_administrator=True).count() == 2
    actions = [a for a, *_ in audit_trail()]
    assert actions.count(AuditAction.ADMINISTRATOR_ADDED) == 1


def test_the_database_refuses_a_third_administrator_whatever_the_code(mlp_admin, django_user_model):
    second = account("mlp.partner")
    second.is_administrator = True
    second.save()
    third = account("loopbaan.partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAccount.objects.filter(pk=third.pk).update(is_administrator=True, administrator_slot=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAccount.objects.filter(pk=third.pk).update(is_administrator=True, administrator_slot=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAccount.objects.filter(pk=third.pk).update(is_administrator=True)
    third.is_administrator = True
    with pytest.raises(ValidationError, match="hoogstens 2 administrators"):
        third.save()


def test_an_administrator_cannot_relieve_themselves(login):
    admin = login("uitbetaling.admin")
    me = account("uitbetaling.admin")
    response = admin.post(user_page(me.pk) + "administrator/", {"administrator": "0"}, follow=True)
    assert "Je kan je eigen administratorrol niet intrekken" in body(response)
    me.refresh_from_db()
    assert me.is_administrator


# The audit trail


def test_audit_records_cannot_be_changed_or_deleted(login, pending):
    record = AuditRecord.objects.latest("pk")
    assert (record.action, record.actor_name, record.subject, record.profile.code) == (
        AuditAction.REQUESTED, "Tom Wouters", "Louise Goossens", "uitbetaling",
    )
    with pytest.raises(ValidationError):
        record.reason = "gewijzigd"
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    for username in ("toegang.vdab", "admin"):
        client = login(username)
        assert "Louise Goossens" in body(client.get("/admin/extranet_access/auditrecord/"))
        assert client.get(f"/admin/extranet_access/auditrecord/inspect/{record.pk}/").status_code == 200
        assert denied(client.get(f"/admin/extranet_access/auditrecord/edit/{record.pk}/"))
        assert denied(client.post(f"/admin/extranet_access/auditrecord/delete/{record.pk}/"))
        assert denied(client.get("/admin/extranet_access/auditrecord/create/"))
    assert AuditRecord.objects.filter(pk=record.pk, reason="").exists()
    assert login("redacteur").get("/admin/extranet_access/auditrecord/").status_code in (302, 403)


def test_the_administrator_mails_a_new_link_when_the_old_one_expired(login, committed, mailoutbox, settings):
    admin = login("uitbetaling.admin")
    committed(admin.post, "/toegangsbeheer/gebruikers/nieuw/", {"first_name": "Eva", "last_name": "Nieuw", "email": "eva@hulpkas.be"})
    created = account("eva@hulpkas.be")
    response = committed(admin.post, user_page(created.pk) + "mail/", follow=True)
    assert "Eva Nieuw krijgt opnieuw een mail" in body(response)
    assert [m.subject for m in mailoutbox] == [ACCESS, ACCESS]
    link = re.search(r"http://testserver(/wachtwoord-kiezen/\S+/)", mailoutbox[1].body).group(1)
    assert "new_password1" in body(Client().get(link, follow=True))
    other = account("mlp.partner")
    assert committed(admin.post, user_page(other.pk) + "mail/").status_code == 404
    assert len(mailoutbox) == 2


def test_the_agency_cannot_make_a_third_administrator_in_the_admin_either(login):
    staff = account("uitbetaling.medewerker")
    staff.is_administrator = True
    staff.save()
    third = account("das.partner")
    client = login("admin")
    url = f"/admin/cms_extranet/partneraccount/edit/{third.pk}/"
    response = client.post(url, {"user": third.user_id, "vestiging": staff.vestiging_id, "is_administrator": "on"})
    assert response.status_code == 200
    assert "hoogstens 2 administrators" in body(response)
    third.refresh_from_db()
    assert not third.is_administrator and third.vestiging != staff.vestiging


def test_officers_see_pending_requests_first_with_the_requesters_name(login, pending, committed):
    older = AccessRequest.objects.create(
        account=account("uitbetaling.admin"), profile=profile("loopbaan"), status=RequestStatus.GRANTED,
    )
    AccessRequest.objects.filter(pk=older.pk).update(requested_at=pending.requested_at.replace(year=2030))
    html = body(login("toegang.vdab").get("/admin/extranet_access/accessrequest/"))
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if "Brussel Noord" in row]
    assert ["Wacht op goedkeuring" in row for row in rows] == [True, False]  # the newer one second
    assert "Tom Wouters" in rows[0] and "uitbetaling.admin" not in rows[0]


def test_help_texts_and_errors_are_tied_to_their_fields(login):
    response = login("uitbetaling.admin").post("/toegangsbeheer/gebruikers/nieuw/", {"email": "fout"})
    html = body(response)
    assert 'id="id_email_helptext"' in html and 'id="id_email_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_email_helptext id_email_error"[^>]*name="email"', html) or re.search(
        r'<input[^>]*name="email"[^>]*aria-describedby="id_email_helptext id_email_error"', html
    )


def test_the_request_only_queues_its_mails_for_the_cluster(login, committed, mailoutbox, monkeypatch, settings):
    """So a mail server that is down never fails the administrator's request."""
    from django_q.conf import Conf
    from django_q.models import OrmQ

    monkeypatch.setattr(Conf, "SYNC", False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # would refuse: nothing listens
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    response = committed(
        login("uitbetaling.admin").post, "/toegangsbeheer/gebruikers/nieuw/",
        {"first_name": "Eva", "last_name": "Nieuw", "email": "eva@hulpkas.be"},
    )
    assert response.status_code == 302 and account("eva@hulpkas.be").vestiging.name == "Brussel Noord"
    [queued] = OrmQ.objects.all()
    assert queued.func() == "cms_extranet.mail_tasks.send"
    assert queued.args()[0] == "cms_extranet.access_management.mails.deliver" and mailoutbox == []
