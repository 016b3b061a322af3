"""The headless API at /api/v2/ (SPEC §4, §12): every user gets exactly the pages and
documents they may read; anything else is, to the API, something that does not exist."""

import base64
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.models import Page

from .conftest import PASSWORD, make_page, index_changes
from .test_access_matrix import HOLDS, PUBLIC_PAGES, SECURED_PAGES

pytestmark = pytest.mark.django_db

API = "/api/v2/pages/"


def client_for(username):
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def readable_urls(username):
    """The demo pages this user may read, as SPEC §12 states them (test_access_matrix)."""
    return set(PUBLIC_PAGES) | {url for url, code in SECURED_PAGES.items() if code in HOLDS[username]}


def path_of(item):
    return "/" + item["meta"]["html_url"].split("://", 1)[1].split("/", 1)[1]


def listing(client, query=""):
    response = client.get(f"{API}?limit=100{query}")
    assert response.status_code == 200, response.content
    data = response.json()
    return data["meta"]["total_count"], data["items"]


@pytest.mark.parametrize("username", list(HOLDS))
def test_the_listing_holds_exactly_the_readable_pages(username):
    total, items = listing(client_for(username))
    assert {path_of(item) for item in items} == readable_urls(username)
    assert total == len(readable_urls(username))


@pytest.mark.parametrize("username", list(HOLDS))
def test_a_page_the_user_may_not_read_is_a_page_that_does_not_exist(username):
    client = client_for(username)
    missing = client.get(f"{API}999999/")
    assert missing.status_code == 404
    readable = readable_urls(username)
    site_root = Page.objects.get(url_path="/extranet/")
    for page in site_root.get_descendants(inclusive=True).live():
        url = page.url_path[len("/extranet") :]
        response = client.get(f"{API}{page.pk}/")
        if url in readable:
            assert response.status_code == 200, url
            assert response.json()["title"] == page.title
        else:
            assert (response.status_code, response.content) == (404, missing.content), url
        found = client.get(f"{API}find/?html_path={url}")
        assert found.status_code == (302 if url in readable else 404), url


def test_a_page_request_looks_up_the_site_once_also_when_refused():
    """Refused pages are most of an attacker's requests: a 404 costs no second site query."""
    client = client_for("mlp.partner")
    for url, status in (("/extranet/mlp/", 200), ("/extranet/das/", 404)):
        page = Page.objects.get(url_path=url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{page.pk}/").status_code == status
        lookups = [query for query in queries if '"wagtailcore_site"."hostname" =' in query["sql"]]
        assert len(lookups) == 1, url


def test_an_address_no_endpoint_takes_answers_json_not_the_sites_page():
    client = Client()
    for url in (f"{API}geen-nummer/", "/api/v2/documents/geen-nummer/", "/api/v2/bestaat-niet/"):
        answer = client.get(url)
        assert answer.status_code == 404 and answer["Content-Type"] == "application/json", url
        assert answer.json() == {"message": "Er is geen pagina op dit adres."}, url
    assert client.get("/api/v2/pages")["Location"] == API  # the slash is still added


@pytest.mark.parametrize("username", list(HOLDS))
def test_the_tree_filters_see_only_readable_pages(username):
    client = client_for(username)
    readable = readable_urls(username)
    for section in ("/mlp/", "/das/", "/uitbetalingsinstellingen/", "/hoe-krijg-je-toegang/"):
        page = Page.objects.get(url_path=f"/extranet{section}")
        missing = client.get(f"{API}?child_of=999999")
        for name in ("child_of", "descendant_of", "ancestor_of"):
            response = client.get(f"{API}?limit=100&{name}={page.pk}")
            if section not in readable:
                assert (response.status_code, response.content) == (
                    400,
                    client.get(f"{API}?{name}=999999").content,
                ), (name, section)
                continue
            paths = {path_of(item) for item in response.json()["items"]}
            if name == "ancestor_of":
                assert paths == {"/"}
            else:
                below = {p for p in readable if p.startswith(section) and p != section}
                if name == "child_of":
                    below = {p for p in below if p.count("/") == section.count("/") + 1}
                assert paths == below, (name, section)
        assert missing.status_code == 400


def test_a_public_page_in_a_secured_section_does_not_name_its_section():
    over_das = Page.objects.get(url_path="/extranet/das/over-das/")
    anonymous = Client().get(f"{API}{over_das.pk}/").json()
    assert anonymous["meta"]["parent"] is None
    assert "Extranet-DAS" not in json.dumps(anonymous)
    das = client_for("das.partner").get(f"{API}{over_das.pk}/").json()
    assert das["meta"]["parent"]["title"].startswith("Extranet-DAS")


def test_detail_fields_include_the_content_of_readable_pages_only(login):
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")
    data = client_for("mlp.partner").get(f"{API}{page.pk}/?fields=*").json()
    assert "Lees ze voor je een dossier opstart" in json.dumps(data["body"])
    listed = client_for(None).get(f"{API}?limit=100&fields=intro,body").json()
    assert "Lees ze voor je een dossier opstart" not in json.dumps(listed)


@pytest.fixture
def secret_pages(home):
    """A made-up word in a public page, an mlp page and a das page."""
    word = "quorvandel"
    pages = {
        "public": make_page(home, "quorvandel-publiek", "public"),
        "mlp": make_page(home, "quorvandel-mlp", "profiles", ["mlp"]),
        "das": make_page(home, "quorvandel-das", "profiles", ["das"]),
    }
    for page in pages.values():
        page.intro = f"Over {word} en meer."
        page.save_revision().publish()
    return word, pages


@pytest.mark.parametrize(
    "username, sees",
    [(None, {"public"}), ("werkgever", {"public"}), ("mlp.partner", {"public", "mlp"}), ("multi.partner", {"public", "mlp", "das"})],
)
def test_search_counts_and_returns_only_readable_pages(search_backend, secret_pages, username, sees):
    word, pages = secret_pages
    index_changes(search_backend)
    total, items = listing(client_for(username), f"&search={word}")
    assert {item["id"] for item in items} == {pages[key].pk for key in sees}
    assert total == len(sees)
    nonsense = client_for(username).get(f"{API}?search=zzqxnotaword").json()
    assert nonsense == {"meta": {"total_count": 0}, "items": []}
    if username is None:
        # a word only on secured pages answers exactly like a word that is nowhere
        for key in ("mlp", "das"):
            pages[key].intro = "Alleen xylofoonvirus hier."
            pages[key].save_revision().publish()
        index_changes(search_backend)
        assert Client().get(f"{API}?search=xylofoonvirus").content == Client().get(f"{API}?search=zzqxnotaword").content


def test_search_combines_with_the_tree_filters(secret_pages, home):
    word, pages = secret_pages
    total, items = listing(client_for("multi.partner"), f"&search={word}&child_of={home.pk}&type=pages.ContentPage")
    assert total == 3
    inner = make_page(pages["public"], "quorvandel-dieper", "inherit")
    inner.intro = word
    inner.save_revision().publish()
    total, items = listing(client_for("multi.partner"), f"&search={word}&descendant_of={pages['public'].pk}")
    assert [item["id"] for item in items] == [inner.pk]


@pytest.mark.parametrize("username", list(HOLDS))
def test_documents_follow_the_same_rule(username):
    Document = get_document_model()
    document = Document.objects.get(title__startswith="Betaalkalender")  # for uitbetaling only
    public = Document.objects.get(title__startswith="Formulier Gebruiksvoorwaarden")  # for anyone
    client = client_for(username)
    ids = {item["id"] for item in client.get("/api/v2/documents/").json()["items"]}
    detail = client.get(f"/api/v2/documents/{document.pk}/")
    if "uitbetaling" in HOLDS[username]:
        assert ids == {document.pk, public.pk} and detail.status_code == 200
    else:
        assert ids == {public.pk}
        assert (detail.status_code, detail.content) == (404, client.get("/api/v2/documents/999999/").content)


def test_only_the_session_authenticates_and_its_answers_are_private():
    basic = base64.b64encode(f"mlp.partner:{PASSWORD}".encode()).decode()
    total, _items = listing(Client(HTTP_AUTHORIZATION=f"Basic {basic}"))
    assert total == len(readable_urls(None))
    response = client_for("mlp.partner").get(API)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_an_alias_in_a_public_place_keeps_its_originals_restriction(home):
    secured = Page.objects.get(url_path="/extranet/das/nieuws/").specific
    assert secured.restriction == "inherit"  # its alias below the home page inherits public
    alias = secured.create_alias(parent=home, update_slug="das-nieuws-kopie")
    anonymous = Client().get(f"{API}{alias.pk}/")
    assert anonymous.status_code == 404
    assert secured.title not in anonymous.content.decode()
    listing = Client().get(API, {"limit": 100}).json()
    assert alias.pk not in {item["id"] for item in listing["items"]}
    das = client_for("das.partner").get(f"{API}{alias.pk}/").json()
    assert das["meta"]["alias_of"]["id"] == secured.pk
