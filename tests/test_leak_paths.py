"""Paths around the trunk that Wagtail gives: aliases, Wagtail's own privacy, caching."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction

from .conftest import index_changes, make_page

pytestmark = pytest.mark.django_db

SECURED = "/extranet/das/nieuws/"  # inherits DAS from its section


def secured_page():
    page = Page.objects.get(url_path=SECURED).specific
    assert page.restriction == "inherit"
    return page


def search(client, query):
    response = client.get("/zoeken/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def found(client, query):
    return re.findall(r'class="result__title"><a href="[^"]*">([^<]*)</a>', search(client, query))


def test_an_alias_of_a_secured_page_in_a_public_place_stays_secured(home, client, login, search_backend):
    original = secured_page()
    original.title = "Kopieerbaar geheimnieuws"
    original.save_revision().publish()
    alias = original.create_alias(parent=home, update_slug="das-kopie")
    index_changes(search_backend)

    response = client.get(alias.url)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert "Kopieerbaar" not in search(client, "geheimnieuws")
    assert "Kopieerbaar" not in client.get("/").content.decode()

    denied = login("mlp.partner").get(alias.url)
    assert denied.status_code == 403
    assert "Kopieerbaar" not in denied.content.decode()
    assert "Kopieerbaar" not in search(login("mlp.partner"), "geheimnieuws")

    das = login("das.partner")
    assert das.get(alias.url).status_code == 200


def test_an_alias_of_a_public_page_in_a_secured_place_takes_that_place(home, client):
    public = make_page(home, "openbaar-origineel", "public")
    alias = public.create_alias(parent=Page.objects.get(url_path="/extranet/das/"), update_slug="kopie")
    assert client.get(alias.url).status_code == 302
    assert client.get(public.url).status_code == 200


@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_wagtails_own_privacy_keeps_a_page_out_of_search_for_those_it_keeps_out(
    home, client, login, search_backend, kind
):
    page = make_page(home, "privacy-wagtail", "public")
    page.title = "Privacyproef"
    page.save_revision().publish()
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=kind, password="geheim")
    group = Group.objects.create(name="Proefgroep")
    if kind == "groups":
        restriction.groups.add(group)
    index_changes(search_backend)

    assert client.get(page.url).status_code in (200, 302)
    assert "Privacyproef" not in found(client, "privacyproef")
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    partner = login("mlp.partner")
    readable = kind == "login"
    assert ("Privacyproef" in found(partner, "privacyproef")) == readable
    assert partner.get(f"/api/v2/pages/{page.pk}/").status_code == (200 if readable else 404)
    if kind == "groups":
        partner.user.groups.add(group)
        assert "Privacyproef" in found(partner, "privacyproef")


def test_editors_get_no_wagtail_privacy_control_on_extranet_pages(login):
    page = secured_page()
    response = login("redacteur").get(f"/admin/pages/{page.pk}/privacy/")
    assert response.status_code == 200
    assert "restriction_type" not in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/profiel/", "/zoeken/?q=toegang"])
def test_pages_shown_to_a_logged_in_user_stay_out_of_shared_caches(login, path):
    response = login("das.partner").get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_redirect_to_a_secured_page_answers_as_that_page_would(
    client, login, django_capture_on_commit_callbacks
):
    page = secured_page()
    old_url = page.url
    page.slug = "nieuws-verhuisd"
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail's automatic redirect
        page.save_revision().publish()
    assert Redirect.objects.filter(redirect_page=page).exists()

    anonymous = client.get(old_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/inloggen/")
    assert "nieuws-verhuisd" not in anonymous["Location"]
    denied = login("mlp.partner").get(old_url)
    assert denied.status_code == 403 and "nieuws-verhuisd" not in denied.content.decode()
    allowed = login("das.partner").get(old_url)
    assert allowed.status_code in (301, 302) and allowed["Location"].endswith("/nieuws-verhuisd/")


def test_rich_text_links_to_pages_the_reader_may_not_read_are_plain_text(home, client, login):
    secured = secured_page()
    draft = make_page(home, "nog-niet-gepubliceerd", "public")
    draft.unpublish()
    page = make_page(home, "met-links", "public")
    page.body = [
        {
            "type": "paragraph",
            "value": f'<p>Zie <a linktype="page" id="{secured.pk}">het DAS-nieuws</a> en '
            f'<a linktype="page" id="{draft.pk}">het ontwerp</a>.</p>',
        }
    ]
    page.save_revision().publish()

    html = client.get(page.url).content.decode()
    assert "<a>het DAS-nieuws</a>" in html and "<a>het ontwerp</a>" in html
    assert secured.url not in html
    das = login("das.partner").get(page.url).content.decode()
    assert f'<a href="{secured.url}">het DAS-nieuws</a>' in das
    assert "<a>het DAS-nieuws</a>" in login("mlp.partner").get(page.url).content.decode()


@pytest.mark.parametrize(
    "url",
    ["/admin/choose-page/", "/admin/choose-page/search/?q=nieuws", "/admin/pages/search/?q=nieuws", "/admin/pages/"],
)
def test_access_officers_see_no_pages_in_the_admin(login, url):
    secured = secured_page()
    officer = login("toegang.vdab").get(url, follow=True)
    assert officer.status_code in (200, 403)
    html = officer.content.decode()
    assert secured.title not in html and secured.url not in html
    if url.startswith("/admin/choose-page/search/"):  # editors still choose it
        assert secured.title in login("redacteur").get(url).content.decode()


def test_a_document_linked_only_from_a_secured_page_is_secured(home, client, login):
    from django.core.files.base import ContentFile

    document = get_document_model().objects.create(
        title="Interne DAS-nota", file=ContentFile(b"%PDF-1.4 nota", name="das-nota.pdf")
    )
    page = make_page(Page.objects.get(url_path="/extranet/das/"), "met-nota")
    page.body = [{"type": "document", "value": {"document": document.pk, "label": "De nota"}}]
    page.save_revision().publish()

    download = client.get(document.url)
    assert download.status_code == 302 and download["Location"].startswith("/inloggen/")
    listed = client.get("/api/v2/documents/", {"limit": 100}).json()["items"]
    assert document.pk not in {item["id"] for item in listed}
    assert login("mlp.partner").get(document.url).status_code == 403
    assert login("das.partner").get(document.url).status_code == 200


def test_documents_are_stored_where_no_web_server_serves_media(home, login):
    from django.core.files.base import ContentFile

    document = get_document_model().objects.create(
        title="Interne nota", file=ContentFile(b"%PDF-1.4 nota", name="nota.pdf")
    )
    stored = Path(document.file.path).resolve()
    assert stored.is_file()
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stored.is_relative_to(Path(settings.EXTRANET_PRIVATE_MEDIA_ROOT).resolve())
    with pytest.raises(NotImplementedError):
        document.file.url  # no address under MEDIA_URL
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
    # Wagtail's serve view still hands it out, to whom the trunk allows.
    page = make_page(home, "met-publieke-nota", "public")
    page.body = [{"type": "document", "value": {"document": document.pk, "label": "De nota"}}]
    page.save_revision().publish()
    response = login("das.partner").get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 nota"


def test_documents_on_a_shared_private_storage_are_served_only_through_the_checks(
    home, client, login, settings, tmp_path
):
    """Several hosts: STORAGES["extranet_private"] names a storage they share (an NFS
    mount here; django-storages' S3 alike); downloads still go through the trunk."""
    from django.core.files.base import ContentFile

    shared = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}
    settings.STORAGES = {**settings.STORAGES, "extranet_private": shared}
    document = get_document_model().objects.create(
        title="Gedeelde nota", file=ContentFile(b"%PDF-1.4 gedeeld", name="gedeeld.pdf")
    )
    assert (tmp_path / document.file.name).read_bytes() == b"%PDF-1.4 gedeeld"
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
    assert not (Path(settings.EXTRANET_PRIVATE_MEDIA_ROOT) / document.file.name).exists()
    page = make_page(Page.objects.get(url_path="/extranet/das/"), "met-gedeelde-nota")
    page.body = [{"type": "document", "value": {"document": document.pk, "label": "De nota"}}]
    page.save_revision().publish()
    assert client.get(document.url).status_code == 302
    assert login("mlp.partner").get(document.url).status_code == 403
    response = login("das.partner").get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 gedeeld"
