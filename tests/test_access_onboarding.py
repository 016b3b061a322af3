"""Onboarding of uitbetalingsinstellingen (SPEC §7): each administrator's signed form,
checked by the agency, opens the vestiging; the uploads stay private."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cms_extranet.access_management.models import AuditAction, AuditRecord, FormSource, FormStatus, TermsForm
from cms_extranet.models import Organisation, PartnerAccount, Vestiging

from .test_access_management import account, body, denied

pytestmark = pytest.mark.django_db

ONBOARDING = "/toegangsbeheer/uitbetalingsinstelling/"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="formulier.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def zuid(django_user_model):
    """A new vestiging of the uitbetalingsinstelling, without access yet, with two
    administrators."""
    hulpkas = Organisation.objects.get(is_uitbetalingsinstelling=True)
    vestiging = Vestiging.objects.create(organisation=hulpkas, name="Brussel Zuid")
    administrators = []
    for username in ("zuid.een", "zuid.twee"):
        user = django_user_model.objects.create_user(
            username, f"{username}@example.be", "x", first_name=username.split(".")[1].title(), last_name="Zuid"
        )
        administrators.append(PartnerAccount.objects.create(user=user, vestiging=vestiging, is_administrator=True))
    return vestiging, administrators


def forms():
    """The forms of these tests (the demo has the accepted one of uitbetaling.admin)."""
    return TermsForm.objects.exclude(account__user__username="uitbetaling.admin")


def private_files():
    root = Path(settings.EXTRANET_PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def review_url(form):
    return f"/admin/extranet_access/termsform/decide/{form.pk}/"


def test_an_organisation_that_is_not_an_uitbetalingsinstelling_cannot_start(login, mlp_admin):
    admin = login("mlp.admin")
    response = admin.get(ONBOARDING)
    assert response.status_code == 403
    assert "Loopbaanpunt Antwerpen vzw is geen uitbetalingsinstelling" in body(response)
    files = private_files()
    response = admin.post(ONBOARDING, {"account": mlp_admin.pk, "file": pdf()})
    assert response.status_code == 403
    assert forms().count() == 0 and private_files() == files
    assert "uitbetalingsinstelling/" not in body(admin.get("/toegangsbeheer/"))


@pytest.mark.parametrize(
    "upload, message",
    [
        (lambda: pdf("formulier.txt", b"ondertekend", "text/plain"), "Bestandsextensie"),
        (lambda: pdf("formulier.pdf", b"<html>geen pdf</html>"), "Dit bestand is geen PDF"),
        (lambda: pdf("formulier.pdf", PDF + b"0" * 2048), "Het bestand is te groot"),
        (lambda: None, "Dit veld is vereist"),
    ],
)
def test_only_a_small_pdf_is_accepted(login, zuid, settings, upload, message):
    settings.EXTRANET_MAX_UPLOAD_SIZE = 1024
    vestiging, (een, _twee) = zuid
    files = private_files()
    data = {"account": een.pk}
    if upload() is not None:
        data["file"] = upload()
    response = login("zuid.een").post(ONBOARDING, data)
    assert response.status_code == 200
    assert message in body(response)
    assert forms().count() == 0 and AuditRecord.objects.count() == 0 and private_files() == files


def test_the_signed_form_is_stored_privately_and_readable_only_by_uploader_and_agency(login, zuid):
    vestiging, (een, _twee) = zuid
    response = login("zuid.een").post(ONBOARDING, {"account": een.pk, "file": pdf()})
    assert response.status_code == 302
    form = forms().get()
    assert (form.status, form.source, form.submitted_by.username) == (FormStatus.PENDING, FormSource.UPLOAD, "zuid.een")
    path = Path(form.file.path)
    assert path.is_relative_to(settings.EXTRANET_PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    with pytest.raises(NotImplementedError):
        form.file.url  # no public address at all
    assert AuditRecord.objects.get().action == AuditAction.FORM_SUBMITTED

    url = f"/toegangsbeheer/formulieren/{form.pk}/"
    for username in ("zuid.een", "toegang.vdab"):
        response = login(username).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    for username in ("zuid.twee", "uitbetaling.admin", "uitbetaling.medewerker", "redacteur"):
        assert login(username).get(url).status_code == 404
    assert Client().get(url)["Location"].startswith("/inloggen/")


def test_when_every_administrators_form_is_accepted_the_vestiging_has_access(login, zuid, committed, mailoutbox):
    vestiging, (een, twee) = zuid
    for administrator in (een, twee):
        login("zuid.een").post(ONBOARDING, {"account": administrator.pk, "file": pdf()})
    first, second = forms().order_by("account__user__username")
    officer = login("toegang.vdab")

    committed(officer.post, review_url(first), {"besluit": "goedkeuren"})
    vestiging.refresh_from_db()
    assert not vestiging.uitbetaling_access and mailoutbox == []

    committed(officer.post, review_url(second), {"besluit": "afwijzen", "reason": "Niet ondertekend."})
    [rejection] = mailoutbox
    assert rejection.to == ["zuid.twee@example.be"] and "Reden: Niet ondertekend." in rejection.body
    vestiging.refresh_from_db()
    assert not vestiging.uitbetaling_access

    login("zuid.twee").post(ONBOARDING, {"account": twee.pk, "file": pdf()})
    resubmitted = TermsForm.objects.get(account=twee, status=FormStatus.PENDING)
    committed(login("toegang.vdab").post, review_url(resubmitted), {"besluit": "goedkeuren"})
    vestiging.refresh_from_db()
    assert vestiging.uitbetaling_access
    opened = mailoutbox[1:]
    assert sorted(m.to[0] for m in opened) == ["zuid.een@example.be", "zuid.twee@example.be"]
    assert all("Extranet voor Uitbetalingsinstellingen" in m.subject for m in opened)
    assert "/toegangsbeheer/" in opened[0].body
    assert [a for (a,) in AuditRecord.objects.order_by("pk").values_list("action")][-2:] == [
        AuditAction.FORM_ACCEPTED, AuditAction.VESTIGING_ACCESS,
    ]
    html = body(login("zuid.een").get(f"/toegangsbeheer/gebruikers/{een.pk}/"))
    assert "Je vestiging heeft nog geen toegang" not in html


def test_a_new_administrator_reaches_toegangsbeheer_only_after_their_form_is_accepted(login, committed):
    staff = account("uitbetaling.medewerker")
    committed(login("uitbetaling.admin").post, f"/toegangsbeheer/gebruikers/{staff.pk}/administrator/", {"administrator": "1"})
    newcomer = login("uitbetaling.medewerker")
    response = newcomer.get("/toegangsbeheer/")
    assert response.status_code == 403
    assert "zodra VDAB jouw formulier gebruiksvoorwaarden heeft aanvaard" in body(response)
    assert newcomer.get(f"/toegangsbeheer/gebruikers/{staff.pk}/").status_code == 403
    assert newcomer.get(ONBOARDING).status_code == 200
    newcomer.post(ONBOARDING, {"account": staff.pk, "file": pdf()})
    form = TermsForm.objects.get(account=staff)
    assert newcomer.get("/toegangsbeheer/").status_code == 403
    committed(login("toegang.vdab").post, review_url(form), {"besluit": "goedkeuren"})
    assert login("uitbetaling.medewerker").get("/toegangsbeheer/").status_code == 200


def test_the_agency_records_a_form_received_by_mail(login, zuid, mlp_admin):
    vestiging, (een, _twee) = zuid
    officer = login("toegang.vdab")
    create = "/admin/extranet_access/termsform/create/"
    assert officer.get(create).status_code == 200
    response = officer.post(create, {"account": mlp_admin.pk, "file": pdf()})
    assert response.status_code == 200 and "is geen uitbetalingsinstelling" in body(response)
    assert forms().count() == 0
    response = officer.post(create, {"account": een.pk, "file": pdf()})
    assert response.status_code == 302
    form = forms().get()
    assert (form.source, form.submitted_by.username, form.status) == (FormSource.MAIL, "toegang.vdab", FormStatus.PENDING)
    assert review_url(form) in body(officer.get("/admin/extranet_access/termsform/"))
    assert denied(login("redacteur").get("/admin/extranet_access/termsform/"))
    assert denied(login("redacteur").post(review_url(form), {"besluit": "goedkeuren"}))
    form.refresh_from_db()
    assert form.status == FormStatus.PENDING


def test_a_form_is_only_for_an_administrator_of_the_own_vestiging(login, zuid, django_user_model):
    vestiging, _administrators = zuid
    admin = login("zuid.een")
    for value in (account("uitbetaling.admin").pk, "x", "²", "٣", "9" * 25, " 1"):
        assert admin.post(ONBOARDING, {"account": value, "file": pdf()}).status_code == 404
    user = django_user_model.objects.create_user("zuid.medewerker", "m@example.be", "x")
    staff = PartnerAccount.objects.create(user=user, vestiging=vestiging)
    response = admin.post(ONBOARDING, {"account": staff.pk, "file": pdf()})
    assert "Kies een administrator van je vestiging" in body(response)
    assert forms().count() == 0
