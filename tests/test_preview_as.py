"""Editors see what partners see ("Bekijk als", issue 17): the page and the site's search as
a partner with chosen profiles, or a visitor who is not logged in, would get them, through
the trunk; never as someone else, never for partners."""

import pytest
from django.contrib.sessions.models import Session
from wagtail.models import Page

from cms_extranet.follow.models import Follow
from cms_extranet.models import PartnerAccount

from .conftest import make_page

pytestmark = pytest.mark.django_db
SECURED = "/extranet/mlp/richtlijnen/"  # for the mlp profile
CONTENT = "Deze richtlijnen over"


def urls(path=SECURED):
    page = Page.objects.get(url_path=path)
    return f"/admin/extranet/bekijk-als/{page.pk}/", f"/admin/extranet/bekijk-als/{page.pk}/pagina/"


def test_an_editor_sees_the_secured_page_as_its_profile_gets_it_and_as_others_are_refused(login):
    editor = login("redacteur")
    view, frame = urls()
    assert editor.get(view).status_code == 200
    reader = editor.get(frame, {"visitor": "profiles", "profiles": ["mlp"]})
    assert reader.status_code == 200 and CONTENT in reader.content.decode()
    assert reader["X-Frame-Options"] == "SAMEORIGIN" and "no-store" in reader["Cache-Control"]
    refused = editor.get(frame, {"visitor": "profiles", "profiles": ["das"]})
    assert refused.status_code == 403
    assert "Je hebt geen toegang tot deze pagina" in refused.content.decode() and CONTENT not in refused.content.decode()
    anonymous = editor.get(frame, {"visitor": "anonymous"})
    assert "naar de aanmeldpagina gestuurd" in anonymous.content.decode() and CONTENT not in anonymous.content.decode()
    public = editor.get(urls("/extranet/disclaimer/")[1], {"visitor": "anonymous"})
    assert public.status_code == 200 and "Disclaimer" in public.content.decode()


def outcome(response):
    return response.content.decode().split('id="preview-outcome"', 1)[1].split("</p>", 1)[0]


def test_the_editor_is_told_in_dutch_what_the_visitor_gets(login):
    editor = login("redacteur")
    view, _frame = urls()
    assert "Deze bezoeker krijgt de pagina te zien." in outcome(editor.get(view, {"visitor": "profiles", "profiles": ["mlp"]}))
    assert "wordt geweigerd (403)" in outcome(editor.get(view, {"visitor": "profiles", "profiles": ["das"]}))
    assert "wordt geweigerd (403)" in outcome(editor.get(view, {"visitor": "profiles"}))  # a login, no profile
    assert "naar de aanmeldpagina gestuurd" in outcome(editor.get(view, {"visitor": "anonymous"}))


def test_an_editor_sees_the_page_as_an_existing_partner_gets_it(login, django_user_model):
    partner = django_user_model.objects.get(username="mlp.partner")
    last_login = partner.last_login
    editor = login("redacteur")
    view, frame = urls()
    reader = editor.get(frame, {"visitor": "partner", "partner": "mlp.partner"})
    assert reader.status_code == 200 and CONTENT in reader.content.decode()
    assert "Marie" in reader.content.decode()  # the top bar shows the partner's name, as to her
    refused = editor.get(frame, {"visitor": "partner", "partner": "das.partner"})
    assert refused.status_code == 403 and CONTENT not in refused.content.decode()
    assert "wordt geweigerd (403)" in outcome(editor.get(view, {"visitor": "partner", "partner": "das.partner"}))
    partner.refresh_from_db()
    assert partner.last_login == last_login


@pytest.mark.parametrize("username", ["admin", "redacteur", "toegang.vdab", "onbekend"])
def test_only_active_partners_can_be_chosen(login, username):
    editor = login("redacteur")
    view, frame = urls()
    response = editor.get(view, {"visitor": "partner", "partner": username})
    assert "Geen actieve partner heeft deze gebruikersnaam." in response.content.decode()
    assert 'id="preview-outcome"' not in response.content.decode()
    assert editor.get(frame, {"visitor": "partner", "partner": username}).status_code == 404


def test_an_unpublished_page_is_not_found_by_any_visitor(login):
    draft = make_page(Page.objects.get(url_path="/extranet/"), "ingetrokken")
    draft.unpublish()
    editor = login("redacteur")
    view, frame = f"/admin/extranet/bekijk-als/{draft.pk}/", f"/admin/extranet/bekijk-als/{draft.pk}/pagina/"
    assert "niet gepubliceerd" in outcome(editor.get(view, {"visitor": "profiles", "profiles": ["mlp"]}))
    assert editor.get(frame, {"visitor": "profiles", "profiles": ["mlp"]}).status_code == 404


def test_the_search_as_a_profile_lists_only_what_it_may_read(login):
    editor = login("redacteur")
    view, _frame = urls("/extranet/disclaimer/")

    def found(profile):
        html = editor.get(view, {"visitor": "profiles", "profiles": [profile], "q": "richtlijnen"}).content.decode()
        return html.split('id="preview-search"', 1)[1].split("</section>", 1)[0]

    assert "Richtlijnen Mijn Loopbaan voor Partners" in found("mlp")
    assert "Richtlijnen Mijn Loopbaan voor Partners" not in found("das")
    assert "Richtlijnen Digitaal Archief Samenwerking" in found("das")


@pytest.mark.parametrize("username", ["mlp.partner", "toegang.vdab", None])
def test_partners_officers_without_page_permissions_and_visitors_are_refused(client, login, username):
    user = login(username) if username else client
    view, frame = urls()
    for url in (view, frame):
        response = user.get(url, {"visitor": "profiles", "profiles": ["mlp"]})
        assert response.status_code in (302, 403), url
        assert CONTENT not in response.content.decode()
        if response.status_code == 302:  # to the admin's login, or its home page
            assert response["Location"].startswith("/admin/")


def test_a_refused_admin_user_learns_nothing_of_which_pages_exist(login):
    officer = login("toegang.vdab")
    missing = max(Page.objects.values_list("pk", flat=True)) + 100
    existing, absent = officer.get(urls()[0]), officer.get(f"/admin/extranet/bekijk-als/{missing}/")
    assert existing.status_code == absent.status_code == 302
    assert existing["Location"] == absent["Location"] == "/admin/"


def test_a_preview_writes_nothing_and_the_editor_stays_themselves(login):
    editor = login("redacteur")
    before = (Follow.objects.count(), Session.objects.count(), PartnerAccount.objects.count())
    _view, frame = urls()
    editor.get(frame, {"visitor": "profiles", "profiles": ["mlp", "das"]})
    editor.get(urls()[0], {"visitor": "profiles", "profiles": ["mlp"], "q": "mlp"})
    editor.get(frame, {"visitor": "partner", "partner": "multi.partner"})
    editor.get(urls()[0], {"visitor": "partner", "partner": "multi.partner", "q": "richtlijnen"})
    assert (Follow.objects.count(), Session.objects.count(), PartnerAccount.objects.count()) == before
    assert editor.session["_auth_user_id"] == str(editor.user.pk)  # still the editor's session
    assert "Ruben" in editor.get("/admin/").content.decode()


def test_the_page_actions_offer_view_as_to_editors(login):
    page = Page.objects.get(url_path=SECURED)
    editor = login("redacteur")
    for screen in (f"/admin/pages/{page.pk}/edit/", f"/admin/pages/{page.get_parent().pk}/"):
        html = editor.get(screen).content.decode()
        assert f"/admin/extranet/bekijk-als/{page.pk}/" in html and "Bekijk als" in html, screen
