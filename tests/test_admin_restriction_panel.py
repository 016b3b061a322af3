"""Editors see and set a page's restriction in the Wagtail page editor."""

import json

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms_extranet.models import PageRestriction, Profile

pytestmark = pytest.mark.django_db


def edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def form(page, restriction_profiles=(), **fields):
    data = {
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "restriction": page.restriction,
        **fields,
    }
    return {**nested_form_data(data), "restriction_profiles": list(restriction_profiles)}


def test_panel_shows_the_effective_restriction_and_where_it_comes_from(login):
    client = login("redacteur")
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/handleiding/")
    html = client.get(edit_url(page)).content.decode()
    assert "Effectieve toegang" in html
    assert "beveiligd, enkel voor" in html and "Extranet-MLP" in html
    assert "Overgenomen van" in html
    section = Page.objects.get(url_path="/extranet/mlp/")
    assert f'href="/admin/pages/{section.pk}/edit/"' in html


def test_panel_on_a_public_override_says_it_is_set_on_the_page(login):
    client = login("redacteur")
    page = Page.objects.get(url_path="/extranet/das/over-das/")
    html = client.get(edit_url(page)).content.decode()
    assert "publiek, voor iedereen" in html
    assert "Ingesteld op deze pagina." in html


def test_editor_secures_a_page_by_publishing_a_restriction(login, client):
    page = Page.objects.get(url_path="/extranet/disclaimer/").specific
    editor = login("redacteur")
    mlp = Profile.objects.get(code="mlp")
    response = editor.post(
        edit_url(page),
        form(page, restriction="profiles", restriction_profiles=[mlp.pk], **{"action-publish": "1"}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = PageRestriction.objects.get(page=page)
    assert list(rule.profiles.values_list("code", flat=True)) == ["mlp"]
    editor.logout()
    assert client.get("/disclaimer/").status_code == 302


def test_secured_restriction_without_profiles_is_refused_and_changes_nothing(login, client):
    page = Page.objects.get(url_path="/extranet/disclaimer/").specific
    editor = login("redacteur")
    response = editor.post(
        edit_url(page), form(page, restriction="profiles", **{"action-publish": "1"})
    )
    assert response.status_code == 200
    assert "Kies minstens één profiel" in response.content.decode()
    assert not PageRestriction.objects.filter(page=page).exists()
    editor.logout()
    assert client.get("/disclaimer/").status_code == 200


def test_preview_of_a_secured_page_works_for_editors(login):
    editor = login("redacteur")
    page = Page.objects.get(url_path="/extranet/mlp/nieuws/").specific
    response = editor.post(f"/admin/pages/{page.pk}/edit/preview/", form(page))
    assert response.status_code == 200
    assert response.json()["is_valid"]
    response = editor.get(f"/admin/pages/{page.pk}/edit/preview/")
    assert response.status_code == 200
    assert "Recente wijzigingen" in response.content.decode()


def test_profiles_are_editable_in_the_admin(login):
    client = login("admin")
    profile = Profile.objects.get(code="esf")
    assert "Extranet-ESF-rapportering" in client.get("/admin/cms_extranet/profile/").content.decode()
    response = client.post(
        f"/admin/cms_extranet/profile/edit/{profile.pk}/",
        {"code": "esf", "name": "Extranet-ESF", "request_condition": ""},
    )
    assert response.status_code == 302
    assert Profile.objects.get(pk=profile.pk).name == "Extranet-ESF"


def test_editors_manage_application_tiles_and_document_restrictions_as_snippets(login):
    client = login("admin")
    assert client.get("/admin/snippets/cms_extranet/applink/").status_code == 200
    html = client.get("/admin/snippets/cms_extranet/documentrestriction/").content.decode()
    assert "Formulier Gebruiksvoorwaarden Extranet Uitbetalingsinstellingen" in html


def test_status_side_panel_shows_the_extranet_restriction_not_wagtails_privacy(login):
    client = login("redacteur")
    secured = client.get(edit_url(Page.objects.get(url_path="/extranet/das/nieuws/"))).content.decode()
    assert "Beveiligd: Extranet-DAS" in secured
    assert "Zichtbaar voor iedereen" not in secured and "Visible to all" not in secured
    assert 'id="set-privacy"' not in secured  # no second control of who reads the page
    public = client.get(edit_url(Page.objects.get(url_path="/extranet/das/over-das/"))).content.decode()
    assert "Publiek" in public and "Beveiligd:" not in public.replace("Beveiligd: enkel", "")
    # A new page under a secured section is told what it will inherit.
    section = Page.objects.get(url_path="/extranet/mlp/")
    new = client.get(f"/admin/pages/add/pages/contentpage/{section.pk}/").content.decode()
    assert "Beveiligd: Extranet-MLP" in new


def test_page_explorer_marks_restricted_pages_with_their_profiles(login):
    extranet = Page.objects.get(url_path="/extranet/")
    html = login("redacteur").get(f"/admin/pages/{extranet.pk}/").content.decode()
    rows = {
        child.title: html.split(f"/admin/pages/{child.pk}/edit/", 1)[1].split("</tr>", 1)[0]
        for child in extranet.get_children()
    }
    das = Page.objects.get(url_path="/extranet/das/").title
    disclaimer = Page.objects.get(url_path="/extranet/disclaimer/").title
    assert 'title="Beveiligd: Extranet-DAS"' in rows[das]
    assert "privacy-indicator" not in rows[disclaimer]


def test_editors_keep_wagtails_scheduled_publishing_beside_the_restriction(login):
    html = login("redacteur").get(edit_url(Page.objects.get(url_path="/extranet/disclaimer/"))).content.decode()
    assert 'name="go_live_at"' in html and 'name="expire_at"' in html
    assert 'name="restriction"' in html and "Effectieve toegang" in html


@pytest.fixture(params=["Editors", "Moderators"])
def group_editor(request, django_user_model):
    """A client for a user in only one of Wagtail's own editor groups."""
    from django.contrib.auth.models import Group
    from django.test import Client

    user = django_user_model.objects.create_user(f"in-{request.param.lower()}")
    user.groups.add(Group.objects.get(name=request.param))
    editor = Client()
    editor.force_login(user)
    return editor


def test_editors_list_add_edit_and_delete_application_tiles(group_editor, login):
    from cms_extranet.models import AppLink

    base = "/admin/snippets/cms_extranet/applink/"
    assert "Mijn Loopbaan voor Partners" in group_editor.get(base).content.decode()
    tile = {"title": "Werkplekleren", "description": "", "url": "https://wpl.example/", "sort_order": 5, "right": ""}
    assert group_editor.post(f"{base}add/", tile).status_code == 302
    added = AppLink.objects.get(title="Werkplekleren")
    assert group_editor.post(f"{base}edit/{added.pk}/", {**tile, "title": "Werkplekleren (WPL)"}).status_code == 302
    assert '<span class="tile__title">Werkplekleren (WPL)</span>' in login("werkgever").get("/").content.decode()
    assert group_editor.post(f"{base}delete/{added.pk}/").status_code == 302
    assert "Werkplekleren" not in login("werkgever").get("/").content.decode()


def test_editors_restrict_a_document_and_change_its_restriction(group_editor, login, client):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from cms_extranet.models import DocumentRestriction

    document = get_document_model().objects.create(
        title="Nota DAS-audit", file=ContentFile(b"%PDF-1.4 nota", name="nota-das-audit.pdf")
    )
    base = "/admin/snippets/cms_extranet/documentrestriction/"
    assert "Formulier Gebruiksvoorwaarden" in group_editor.get(base).content.decode()
    das = Profile.objects.get(code="das").pk
    assert group_editor.post(f"{base}add/", {"document": document.pk, "profiles": [das]}).status_code == 302
    assert login("das.partner").get(document.url).status_code == 200
    assert login("mlp.partner").get(document.url).status_code == 403
    restriction = DocumentRestriction.objects.get(document=document)
    edit = group_editor.post(f"{base}edit/{restriction.pk}/", {"document": document.pk, "is_public": "on"})
    assert edit.status_code == 302
    client.logout()
    assert client.get(document.url).status_code == 200


@pytest.mark.parametrize("model", ["applink", "documentrestriction"])
def test_partners_never_reach_the_tiles_or_document_restrictions(login, model):
    response = login("mlp.partner").get(f"/admin/snippets/cms_extranet/{model}/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_editors_see_the_access_on_the_first_tab_and_how_many_may_read_the_page(login, django_assert_num_queries):
    from cms_extranet.access import holders_count

    with django_assert_num_queries(1):
        readers = holders_count({"mlp"})
    assert readers == 2  # mlp.partner and multi.partner; not mlp.zonderopleiding without the training
    html = login("redacteur").get(edit_url(Page.objects.get(url_path="/extranet/mlp/richtlijnen/"))).content.decode()
    first_tab = html.split('id="tab-inhoud"', 1)[1].split('id="tab-eigenschappen"', 1)[0]
    assert "beveiligd, enkel voor Extranet-MLP" in first_tab
    assert "2 gebruikers mogen deze pagina nu lezen." in first_tab
    public = login("redacteur").get(edit_url(Page.objects.get(url_path="/extranet/disclaimer/"))).content.decode()
    assert "mogen deze pagina nu lezen" not in public


def test_the_profile_boxes_show_only_while_secured_is_chosen_and_stay_without_javascript(login):
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")  # inherits
    soup = BeautifulSoup(login("redacteur").get(edit_url(page)).content, "html.parser")
    rules = soup.select_one('[data-controller="w-rules"]')  # Wagtail's own, as in its privacy dialog
    assert rules["data-action"] == "change->w-rules#resolve"
    assert {radio["value"] for radio in rules.select("input[name=restriction]")} == {"inherit", "public", "profiles"}
    shown = rules.select_one('[data-w-rules-target="show"]')
    assert json.loads(shown["data-w-rules"]) == {"restriction": ["profiles"]}
    assert "Profielen" in shown.get_text() and len(shown.select("input[name=restriction_profiles]")) == 6
    assert not shown.has_attr("hidden")  # the script hides them; without it they stay usable
    assert not rules.select_one('[data-w-rules-target="show"] input[name=restriction]')
