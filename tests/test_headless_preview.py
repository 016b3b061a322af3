"""Editors preview a draft in the front end (wagtail-headless-preview): the admin's preview
goes to the front end's preview page, which reads the draft from /api/v2/page_preview/ with
the editor's session. Nobody else gets anything of the draft, token or not."""

import runpy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from wagtail.models import GroupPagePermission, Page

from .test_admin_restriction_panel import form

pytestmark = pytest.mark.django_db

FRONTEND_PREVIEW_URL = "https://www.partners.example/preview/"
DRAFT_TITLE = "Concept: nieuwe MLP-richtlijnen vanaf januari"
PREVIEW_API = "/api/v2/page_preview/"
BASE_SETTINGS = Path(__file__).resolve().parent.parent / "cms" / "settings" / "base.py"


@pytest.fixture
def frontend(settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": FRONTEND_PREVIEW_URL},
        "REDIRECT_ON_PREVIEW": True,
        "ENFORCE_TRAILING_SLASH": False,
    }
    return settings


@pytest.fixture
def page():
    """A news page of the MLP section: only partners holding Extranet-MLP read it."""
    return Page.objects.get(url_path="/extranet/mlp/nieuws/").specific


def preview_in_admin(editor, page):
    """The editor changes the title in the page editor and opens the preview."""
    response = editor.post(f"/admin/pages/{page.pk}/edit/preview/", form(page, title=DRAFT_TITLE))
    assert response.status_code == 200 and response.json()["is_valid"]
    return editor.get(f"/admin/pages/{page.pk}/edit/preview/")


@pytest.fixture
def preview_query(frontend, login, page):
    """The query the admin hands the front end's preview page: content_type and token."""
    response = preview_in_admin(login("redacteur"), page)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == FRONTEND_PREVIEW_URL
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert set(query) == {"content_type", "token"}
    return query


def assert_no_draft(response, status):
    assert response.status_code == status
    body = response.content.decode()
    assert DRAFT_TITLE not in body and "nieuws" not in body.lower()
    return response


def test_the_admins_preview_opens_the_front_ends_preview_page(frontend, login, page):
    response = preview_in_admin(login("redacteur"), page)
    assert response.status_code == 302
    assert response["Location"].startswith(FRONTEND_PREVIEW_URL + "?")
    assert "content_type=pages.contentpage" in response["Location"]


def test_the_editor_reads_the_draft_through_the_api(preview_query, client, page):
    response = client.get(PREVIEW_API, {**preview_query, "fields": "intro"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["title"] == DRAFT_TITLE
    assert data["id"] == page.pk
    assert data["meta"]["type"] == "pages.ContentPage"
    assert "intro" in data
    # A preview, not a change: neither the live page nor a revision has the draft's title.
    page.refresh_from_db()
    assert page.title != DRAFT_TITLE
    assert page.get_latest_revision_as_object().title != DRAFT_TITLE


def test_anonymous_gets_nothing_of_the_draft_with_the_token(preview_query):
    assert_no_draft(Client().get(PREVIEW_API, preview_query), 403)


def test_a_partner_holding_the_pages_profile_gets_nothing_of_the_draft(preview_query, login, page):
    partner = login("mlp.partner")
    assert partner.get(page.url).status_code == 200  # the partner reads the live page...
    response = assert_no_draft(partner.get(PREVIEW_API, preview_query), 403)  # ...never the draft
    assert response.json()["detail"] == "Enkel een redacteur die deze pagina mag bewerken, ziet de voorvertoning ervan."


@pytest.fixture
def das_editor(django_user_model):
    """An editor of the DAS section only, logged in."""
    das_editors = Group.objects.create(name="DAS editors")
    das_editors.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=das_editors,
            page=Page.objects.get(url_path="/extranet/das/"),
            permission=Permission.objects.get(codename=codename),
        )
    user = django_user_model.objects.create_user("das.redacteur", "das.redacteur@vdab.be", "x", is_staff=True)
    user.groups.add(das_editors)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200  # an editor indeed, of another section
    return client


def test_an_editor_without_permission_on_the_page_gets_nothing_of_the_draft(preview_query, das_editor):
    assert_no_draft(das_editor.get(PREVIEW_API, preview_query), 404)


def test_a_wrong_foreign_or_expired_token_gives_nothing(preview_query, login, settings, page):
    editor = login("redacteur")
    token = preview_query["token"]
    for query in (
        {**preview_query, "token": token[:-1] + ("A" if token[-1] != "A" else "B")},
        {**preview_query, "content_type": "pages.homepage"},
        {"content_type": preview_query["content_type"]},
        {**preview_query, "content_type": "nonsense"},
    ):
        assert_no_draft(editor.get(PREVIEW_API, query), 404)
    settings.HEADLESS_PREVIEW_TOKEN_MAX_AGE = -1
    assert_no_draft(editor.get(PREVIEW_API, preview_query), 404)


def test_without_a_front_end_the_admin_keeps_wagtails_own_preview(login, page, settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {}, "REDIRECT_ON_PREVIEW": True}
    response = preview_in_admin(login("redacteur"), page)
    assert response.status_code == 200
    assert DRAFT_TITLE in response.content.decode()


def test_the_front_ends_preview_address_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FRONTEND_PREVIEW_URL", FRONTEND_PREVIEW_URL)
    configured = runpy.run_path(str(BASE_SETTINGS))
    assert configured["WAGTAIL_HEADLESS_PREVIEW"]["CLIENT_URLS"] == {"default": FRONTEND_PREVIEW_URL}
    frames = configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["frame-src"]
    assert frames == ["'self'", "https://www.partners.example"]

    monkeypatch.delenv("FRONTEND_PREVIEW_URL")
    unset = runpy.run_path(str(BASE_SETTINGS))
    assert unset["WAGTAIL_HEADLESS_PREVIEW"]["CLIENT_URLS"] == {}
    assert "frame-src" not in unset["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]

    monkeypatch.setenv("FRONTEND_PREVIEW_URL", "javascript:alert(1)")
    with pytest.raises(ImproperlyConfigured):
        runpy.run_path(str(BASE_SETTINGS))


def test_the_editor_previews_a_page_not_yet_created(frontend, login, page, das_editor):
    parent = page.get_parent()
    editor = login("redacteur")
    url = f"/admin/pages/add/pages/contentpage/{parent.pk}/preview/"
    data = form(page, title=DRAFT_TITLE, slug="concept")
    assert editor.post(url, data).json()["is_valid"]
    location = urlsplit(editor.get(url)["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    response = editor.get(PREVIEW_API, query)
    assert response.status_code == 200
    assert response.json()["title"] == DRAFT_TITLE
    assert not Page.objects.filter(slug="concept").exists()
    assert_no_draft(das_editor.get(PREVIEW_API, query), 404)
    assert_no_draft(login("mlp.partner").get(PREVIEW_API, query), 403)
