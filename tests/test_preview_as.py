"""Editors see what partners see ("Bekijk als", issue 17): the page and the site's search as
a partner with chosen profiles, or a visitor who is not logged in, would get them, through
the trunk; never as someone else, never for partners."""

import pytest
from django.contrib.sessions.models import Session
from wagtail.models import Page

from cms_extranet.follow.models import Follow
from cms_extranet.models import PartnerAccount

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


def test_a_preview_writes_nothing_and_the_editor_stays_themselves(login):
    editor = login("redacteur")
    before = (Follow.objects.count(), Session.objects.count(), PartnerAccount.objects.count())
    _view, frame = urls()
    editor.get(frame, {"visitor": "profiles", "profiles": ["mlp", "das"]})
    editor.get(urls()[0], {"visitor": "profiles", "profiles": ["mlp"], "q": "mlp"})
    assert (Follow.objects.count(), Session.objects.count(), PartnerAccount.objects.count()) == before
    assert "Ruben" in editor.get("/admin/").content.decode()  # still the editor's session


def test_the_page_actions_offer_view_as_to_editors(login):
    page = Page.objects.get(url_path=SECURED)
    html = login("redacteur").get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert f"/admin/extranet/bekijk-als/{page.pk}/" in html and "Bekijk als" in html
