"""Editors preview a draft in the front end (wagtail-headless-preview): the admin's preview
goes to the front end's preview page."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

pytestmark = pytest.mark.django_db

FRONTEND_PREVIEW_URL = "https://www.partners.example/preview/"
DRAFT_TITLE = "Concept: nieuwe MLP-richtlijnen vanaf januari"
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


def form(page, **fields):
    data = {
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "restriction": page.restriction,
        **fields,
    }
    return {**nested_form_data(data), "restriction_profiles": [p.pk for p in page.restriction_profiles.all()]}


def preview_in_admin(editor, page):
    """The editor changes the title in the page editor and opens the preview."""
    response = editor.post(f"/admin/pages/{page.pk}/edit/preview/", form(page, title=DRAFT_TITLE))
    assert response.status_code == 200 and response.json()["is_valid"]
    return editor.get(f"/admin/pages/{page.pk}/edit/preview/")


def test_the_admins_preview_opens_the_front_ends_preview_page(frontend, login, page):
    response = preview_in_admin(login("redacteur"), page)
    assert response.status_code == 302
    assert response["Location"].startswith(FRONTEND_PREVIEW_URL + "?")
    assert "content_type=pages.contentpage" in response["Location"]


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