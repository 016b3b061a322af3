"""The extranet's API for a decoupled front end (SPEC §14, issue 15) answers exactly as the
rendered site: same pages, same denials, same search, same followed list, same feedback."""

import json
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from wagtail.models import Page

from cms_extranet.follow.models import Follow, Mailing, MailingPreference
from cms_extranet.feedback.forms import FeedbackForm
from cms_extranet.feedback.models import Feedback
from cms_extranet.feedback.views import RATE_LIMIT_MESSAGE

from .conftest import index_changes, make_page
from .test_access_matrix import HOLDS

pytestmark = pytest.mark.django_db

BY_PATH = "/api/v2/pages/by_path/"
ME = "/api/v2/extranet/me/"
FOLLOWING = "/api/v2/extranet/following/"
MAILING = "/api/v2/extranet/mailing/"
FEEDBACK = "/api/v2/extranet/feedback/"
SEARCH = "/api/v2/search/"


def client_for(username, **defaults):
    client = Client(**defaults)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def site_paths():
    """Every live page of the demo site, and a few addresses where there is none."""
    root = Page.objects.get(url_path="/extranet/")
    paths = [page.url_path[len("/extranet") :] for page in root.get_descendants(inclusive=True).live()]
    return paths + ["/bestaat-niet/", "/mlp/bestaat-niet/", "/das/over-das/niets/"]


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


@pytest.mark.parametrize("username", list(HOLDS))
def test_the_path_endpoint_answers_what_the_site_answers(username):
    client = client_for(username)
    for path in site_paths():
        site = client.get(path)
        api = client.get(BY_PATH, {"html_path": path})
        body = api.json()
        if site.status_code == 200:
            assert api.status_code == 200, (path, body)
            assert body["title"] == site.context["page"].title
            assert path_of(body["meta"]["html_url"]) == path
            assert body["meta"]["following"] is False or username == "multi.partner"
        elif site.status_code == 302:
            assert username is None
            assert (api.status_code, body["login_url"]) == (401, site["Location"]), path
            assert api["WWW-Authenticate"]
            assert "title" not in body
        elif site.status_code == 403:
            assert api.status_code == 403, path
            html = unescape(site.content.decode())
            assert [p.name for p in site.context["required_profiles"]] == [
                p["name"] for p in body["required_profiles"]
            ]
            for link in [body["access_url"], *(p["help_url"] for p in body["required_profiles"])]:
                assert f'href="{path_of(link)}"' in html
            for text in ("detail", "explanation", "advice"):
                assert body[text] in html
        else:
            assert (site.status_code, api.status_code) == (404, 404), path
            assert body == {"detail": "Er is geen pagina op dit adres."}


def test_the_path_endpoint_says_whether_the_user_follows_the_page():
    client = client_for("multi.partner")
    followed = Follow.objects.filter(user__username="multi.partner").first().page
    path = followed.url_path[len("/extranet") :]
    assert client.get(BY_PATH, {"html_path": path}).json()["meta"]["following"] is True
    assert client.get(BY_PATH, {"html_path": "/disclaimer/"}).json()["meta"]["following"] is False


def test_a_secured_answer_names_nothing_of_the_page():
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")
    for username in (None, "das.partner", "werkgever"):
        body = client_for(username).get(BY_PATH, {"html_path": "/mlp/richtlijnen/"}).content.decode()
        assert page.title not in body
        assert str(page.pk) not in re.findall(r"\d+", body.replace("/mlp/richtlijnen/", ""))


@pytest.mark.parametrize("username", [None, "werkgever", "multi.partner", "uitbetaling.admin"])
def test_me_shows_what_the_site_shows(username):
    client = client_for(username)
    me = client.get(ME).json()
    home = client.get("/")
    tiles = home.context["links"] if "links" in home.context else []
    assert [link["title"] for link in me["applications"]] == [link.title for link in tiles]
    assert me["authenticated"] is bool(username)
    if username is None:
        assert me["profiles"] == [] and me["mailing"] is None
        return
    profile = client.get("/profiel/")
    assert {p["code"] for p in me["profiles"]} == {p.code for p in profile.context["profiles"]}
    assert me["username"] == username
    assert me["is_administrator"] is (username == "uitbetaling.admin")
    assert me["can_follow"] is (username == "multi.partner")
    assert me["mailing"] == (
        {"value": "daily", "label": "Dagelijks"} if username == "multi.partner" else {"value": "never", "label": "Nooit"}
    )


def profile_rows(client):
    return client.get("/profiel/").context["rows"]


@pytest.mark.parametrize("username", ["multi.partner", "mlp.partner"])
def test_the_followed_list_equals_the_profile_pages_list(username):
    client = client_for(username)
    user = client.get("/").context["request"].user
    # A followed page the user may not read (a right withdrawn, say) is listed by neither.
    for url_path in ("/extranet/mlp/nieuws/", "/extranet/das/nieuws/", "/extranet/disclaimer/"):
        Follow.objects.get_or_create(user=user, page=Page.objects.get(url_path=url_path))
    items = client.get(FOLLOWING).json()["items"]
    rows = profile_rows(client)
    assert [(i["id"], i["title"], i["url"], i["breadcrumb"]) for i in items] == [
        (r["page"].pk, r["page"].title, r["page"].url, r["breadcrumb"]) for r in rows
    ]
    if username == "mlp.partner":
        assert "/das/" not in json.dumps(items)


def test_follow_and_unfollow_are_idempotent_and_the_profile_page_agrees():
    client = client_for("mlp.partner")
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")
    for _ in range(2):
        answer = client.put(f"{FOLLOWING}{page.pk}/")
        assert answer.status_code == 200 and answer.json()["following"] is True
        assert answer.json()["message"] == f"Je volgt deze pagina nu: {page.title}."
    assert page.pk in [r["page"].pk for r in profile_rows(client)]
    for _ in range(2):
        answer = client.delete(f"{FOLLOWING}{page.pk}/")
        assert answer.status_code == 200 and answer.json()["following"] is False
    assert not Follow.objects.filter(user__username="mlp.partner", page=page).exists()
    assert client.get(FOLLOWING).json()["items"] == []


@pytest.mark.parametrize("method", ["put", "delete"])
def test_following_is_denied_as_the_toggle_denies(method):
    das_page = Page.objects.get(url_path="/extranet/das/richtlijnen/")
    public_page = Page.objects.get(url_path="/extranet/disclaimer/")
    mlp = client_for("mlp.partner")
    missing = getattr(mlp, method)(f"{FOLLOWING}999999/")
    not_a_number = getattr(mlp, method)(f"{FOLLOWING}geen-nummer/")
    assert not_a_number.status_code == 404
    assert not_a_number.json() == {"detail": "Er is geen pagina op dit adres."}
    answer = getattr(mlp, method)(f"{FOLLOWING}{das_page.pk}/")
    site = mlp.post(f"/volgen/{das_page.pk}/", {"volgen": "1"})
    assert (answer.status_code, answer.content) == (404, missing.content) and site.status_code == 404
    assert das_page.title not in answer.content.decode()
    for username in (None, "werkgever", "das.auditor"):
        client = client_for(username)
        answer = getattr(client, method)(f"{FOLLOWING}{public_page.pk}/")
        assert answer.status_code == client.post(f"/volgen/{public_page.pk}/", {"volgen": "1"}).status_code == 403
        assert answer.json() == {"detail": "Pagina's volgen kan wie een Extranet-profiel heeft."}
        assert client.get(FOLLOWING).status_code == 403
    assert not Follow.objects.filter(page__in=[das_page, public_page]).exists()


def test_the_mailing_is_read_and_set_with_the_sites_choices():
    client = client_for("mlp.partner")
    assert client.get(MAILING).json() == {
        "mailing": "never",
        "label": "Nooit",
        "choices": [
            {"value": "never", "label": "Nooit"},
            {"value": "daily", "label": "Dagelijks"},
            {"value": "weekly", "label": "Wekelijks"},
        ],
    }
    answer = client.put(MAILING, {"mailing": "weekly"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["label"] == "Wekelijks"
    assert MailingPreference.of(answer.wsgi_request.user) == Mailing.WEEKLY
    wrong = client.put(MAILING, {"mailing": "hourly"}, content_type="application/json")
    assert wrong.status_code == 400 and "hourly" in wrong.json()["mailing"][0]
    not_an_object = client.put(MAILING, ["weekly"], content_type="application/json")
    assert not_an_object.status_code == 400 and "mailing" in not_an_object.json()
    assert client_for("werkgever").get(MAILING).status_code == 403


def site_search(client, query, page=1):
    response = client.get("/zoeken/", {"q": query, "page": page})
    results = response.context.get("results") or []
    total = response.context["page_obj"].paginator.count if "page_obj" in response.context else 0
    return total, response.context.get("more_results", False), [(r.title, r.url, str(r.snippet), r.breadcrumb) for r in results]


def api_search(client, query, page=1):
    data = client.get(SEARCH, {"q": query, "page": page}).json()
    return data["total"], data["more"], [(r["title"], r["url"], r["snippet"], r["breadcrumb"]) for r in data["results"]]


@pytest.mark.parametrize("username", [None, "werkgever", "mlp.partner", "das.partner", "multi.partner"])
def test_api_search_finds_exactly_what_the_site_finds(username, monkeypatch):
    client = client_for(username)
    for max_matches in (1000, 3):
        monkeypatch.setattr("search.backends.MAX_MATCHES", max_matches)
        for query in ("extranet", "richtlijnen", "handleiding", "  nieuws\x00 ", "zzqxnotaword", ""):
            for page in (1, 2):
                assert api_search(client, query, page) == site_search(client, query, page), (query, page)
    assert api_search(client, "extranet")[1], "more than 3 matches"


@pytest.fixture
def secret_pages(home, search_backend):
    word = "quorvandel"
    pages = {
        "public": make_page(home, "quorvandel-publiek", "public"),
        "mlp": make_page(home, "quorvandel-mlp", "profiles", ["mlp"]),
    }
    for page in pages.values():
        page.intro = f"Over {word} en meer."
        page.save_revision().publish()
    index_changes(search_backend)
    return word, pages


def test_search_never_returns_or_names_a_page_the_user_may_not_read(secret_pages, search_backend):
    word, pages = secret_pages
    anonymous = Client().get(SEARCH, {"q": word}).json()
    assert [r["title"] for r in anonymous["results"]] == [pages["public"].title]
    assert anonymous["total"] == 1
    assert pages["mlp"].title not in json.dumps(anonymous)
    mlp = client_for("mlp.partner").get(SEARCH, {"q": word}).json()
    assert {r["title"] for r in mlp["results"]} == {p.title for p in pages.values()}
    pages["mlp"].intro = "Alleen xylofoonvirus hier."
    pages["mlp"].save_revision().publish()
    index_changes(search_backend)
    secured_word = Client().get(SEARCH, {"q": "xylofoonvirus"}).json()
    nonsense = Client().get(SEARCH, {"q": "zzqxnotaword"}).json()
    assert {**secured_word, "query": ""} == {**nonsense, "query": ""}
    assert "no-store" in Client().get(SEARCH, {"q": word})["Cache-Control"]


def test_feedback_is_stored_with_the_sites_rules(committed, mailoutbox):
    client = Client(REMOTE_ADDR="192.0.2.80")
    answer = committed(
        client.post, FEEDBACK, {"message": "Goed!", "page": "/mlp/richtlijnen/"}, content_type="application/json"
    )
    assert answer.status_code == 201
    # A secured page is recorded but never named to who may not read it.
    assert answer.json() == {"detail": "Bedankt voor je feedback", "page": None}
    stored = Feedback.objects.get(message="Goed!")
    assert stored.path == "/mlp/richtlijnen/" and stored.page.url_path == "/extranet/mlp/richtlijnen/"
    assert mailoutbox and "Goed!" in mailoutbox[0].body
    mlp = client_for("mlp.partner").post(
        FEEDBACK, {"message": "Ook goed", "page": "/mlp/richtlijnen/"}, content_type="application/json"
    )
    assert mlp.json()["page"] == {"title": stored.page.title, "url": "/mlp/richtlijnen/"}
    elsewhere = client.post(FEEDBACK, {"message": "x", "page": "https://evil.example/"}, content_type="application/json")
    assert elsewhere.status_code == 201 and Feedback.objects.get(message="x").path == ""


def test_feedback_errors_are_the_forms_dutch_messages(client):
    empty = client.post(FEEDBACK, {"message": "", "email": "nope"}, content_type="application/json")
    form = FeedbackForm(data={"message": "", "email": "nope"})
    form.is_valid()
    assert empty.status_code == 400
    assert empty.json() == {"message": form.errors["message"], "email": form.errors["email"]}
    assert empty.json()["message"] == ["Schrijf je bericht."]
    bot = client.post(FEEDBACK, {"message": "Koop nu", "website": "spam.example"}, content_type="application/json")
    assert bot.status_code == 400 and "non_field_errors" in bot.json()
    assert not Feedback.objects.filter(message="Koop nu").exists()


def test_feedback_is_rate_limited_as_on_the_site(settings):
    settings.EXTRANET_FEEDBACK_RATE_LIMIT = (2, 600)
    client = Client(REMOTE_ADDR="192.0.2.81")
    codes = [client.post(FEEDBACK, {"message": f"n{i}"}, content_type="application/json").status_code for i in range(3)]
    assert codes == [201, 201, 429]
    limited = client.post(FEEDBACK, {"message": "n3"}, content_type="application/json").json()
    with translation.override("nl-be"):
        assert limited == {"detail": str(RATE_LIMIT_MESSAGE)}
    assert client.post("/feedback/", {"message": "site"}).status_code == 429  # one limit for both


def csrf_client(username):
    client = client_for(username, enforce_csrf_checks=True)
    client.get("/feedback/")  # sets the CSRF cookie, as any page with a form does
    return client, client.cookies["csrftoken"].value


def test_unsafe_methods_need_the_csrf_token():
    page = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")
    client, token = csrf_client("mlp.partner")
    refused = client.put(f"{FOLLOWING}{page.pk}/")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.put(MAILING, {"mailing": "daily"}, content_type="application/json").status_code == 403
    assert not Follow.objects.filter(page=page).exists()
    assert client.put(f"{FOLLOWING}{page.pk}/", HTTP_X_CSRFTOKEN=token).status_code == 200
    anonymous, token = csrf_client(None)
    assert anonymous.post(FEEDBACK, {"message": "m"}, content_type="application/json").status_code == 403
    assert not Feedback.objects.filter(message="m").exists()
    answer = anonymous.post(FEEDBACK, {"message": "m"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 201


def test_answers_to_a_logged_in_user_are_private():
    client = client_for("mlp.partner")
    for url in (ME, FOLLOWING, MAILING, f"{BY_PATH}?html_path=/mlp/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_the_schema_is_valid_openapi_of_every_endpoint():
    from drf_spectacular.validation import validate_schema

    response = Client().get("/api/v2/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/v2/pages/", "/api/v2/pages/{id}/", "/api/v2/pages/find/", "/api/v2/pages/by_path/",
        "/api/v2/documents/", "/api/v2/documents/{id}/", "/api/v2/documents/find/",
        "/api/v2/extranet/me/", "/api/v2/extranet/login/", "/api/v2/extranet/logout/",
        "/api/v2/extranet/following/", "/api/v2/extranet/following/{page_id}/",
        "/api/v2/extranet/mailing/", "/api/v2/extranet/feedback/", "/api/v2/search/",
        "/api/v2/page_preview/",
    }
    by_path = schema["paths"]["/api/v2/pages/by_path/"]["get"]["responses"]
    # 400: a query value the API cannot take (SaneParametersMixin)
    assert set(by_path) == {"200", "400", "401", "403", "404"}
    preview = schema["paths"]["/api/v2/page_preview/"]["get"]
    assert set(preview["responses"]) == {"200", "400", "403", "404"}
    assert {p["name"] for p in preview["parameters"] if p.get("required")} == {"content_type", "token"}


def test_the_docs_page_uses_only_the_sites_own_assets():
    client = Client()
    page = client.get("/api/v2/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not re.search(r"https?://|//cdn|unpkg|jsdelivr", html)
    assert any("swagger-ui" in asset for asset in assets)
    for asset in assets:
        assert client.get(unescape(asset)).status_code == 200, asset


def test_the_apis_links_are_the_address_the_site_is_served_at(settings):
    from django.db.models.signals import post_migrate
    from django.apps import apps

    settings.SITE_URL = "http://127.0.0.1:8000"
    post_migrate.send(sender=apps.get_app_config("pages"), app_config=apps.get_app_config("pages"))
    page = client_for("mlp.partner").get(BY_PATH, {"html_path": "/mlp/richtlijnen/"}).json()
    assert page["meta"]["html_url"] == "http://127.0.0.1:8000/mlp/richtlijnen/"
    followed = client_for("multi.partner").get(FOLLOWING).json()["items"]
    assert followed and all(item["html_url"].startswith("http://127.0.0.1:8000/") for item in followed)
