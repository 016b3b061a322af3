"""A front end on another origin logs in and out through the API (issue 15): the site's
login form and throttling, the CSRF token on every unsafe call, and CORS only for the
origins the settings allow."""

import pytest
from django.test import Client, override_settings

from cms_extranet.feedback.models import Feedback

from .test_api_parity import BY_PATH, FEEDBACK, ME

pytestmark = pytest.mark.django_db

LOGIN = "/api/v2/extranet/login/"
LOGOUT = "/api/v2/extranet/logout/"
PASSWORD = "extranet-demo"
FRONT_END = "https://www.partners.example"


def post(client, url, data=None, token=None, **extra):
    if token:
        extra["HTTP_X_CSRFTOKEN"] = token
    return client.post(url, data or {}, content_type="application/json", **extra)


def test_a_front_end_logs_in_reads_a_secured_page_and_logs_out():
    client = Client(enforce_csrf_checks=True)
    me = client.get(ME).json()
    assert me["authenticated"] is False and me["csrf_token"]
    assert client.get(BY_PATH, {"html_path": "/mlp/richtlijnen/"}).status_code == 401

    refused = post(client, LOGIN, {"username": "mlp.partner", "password": PASSWORD})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert "_auth_user_id" not in client.session

    wrong = post(client, LOGIN, {"username": "mlp.partner", "password": "fout"}, me["csrf_token"])
    assert wrong.status_code == 400
    assert wrong.json() == {
        "non_field_errors": [
            "De gebruikersnaam of het wachtwoord is niet juist. Let op: beide zijn hoofdlettergevoelig."
        ]
    }
    missing = post(client, LOGIN, {"username": "mlp.partner"}, me["csrf_token"])
    assert missing.status_code == 400 and missing.json()["password"] == ["Dit veld is vereist."]

    answer = post(client, LOGIN, {"username": "mlp.partner", "password": PASSWORD}, me["csrf_token"])
    assert answer.status_code == 200
    logged_in = answer.json()
    assert logged_in["authenticated"] is True and logged_in["username"] == "mlp.partner"
    assert {p["code"] for p in logged_in["profiles"]} == {"mlp"}
    assert logged_in["csrf_token"] != me["csrf_token"]  # rotated at login
    page = client.get(BY_PATH, {"html_path": "/mlp/richtlijnen/"})
    assert page.status_code == 200 and page.json()["meta"]["following"] is False

    assert post(client, LOGOUT, token=me["csrf_token"]).status_code == 403  # the old token
    out = post(client, LOGOUT, token=logged_in["csrf_token"])
    assert out.status_code == 200 and out.json()["authenticated"] is False
    assert client.get(BY_PATH, {"html_path": "/mlp/richtlijnen/"}).status_code == 401


@override_settings(AXES_ENABLED=True)
def test_api_logins_are_throttled_with_the_sites_login():
    client = Client()
    answers = [post(client, LOGIN, {"username": "mlp.partner", "password": "fout"}).status_code for _ in range(5)]
    assert answers == [400, 400, 400, 400, 429]  # the fifth failure locks
    blocked = post(client, LOGIN, {"username": "mlp.partner", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Uit veiligheid is inloggen een uur geblokkeerd" in blocked.json()["detail"]
    assert "_auth_user_id" not in client.session
    site = Client().post("/inloggen/", {"username": "mlp.partner", "password": PASSWORD})
    assert site.status_code == 429  # one count of failures for the site and the API


@pytest.fixture
def front_end(settings):
    settings.CORS_ALLOWED_ORIGINS = settings.CSRF_TRUSTED_ORIGINS = [FRONT_END]


def test_only_the_configured_front_end_may_call_the_api_with_the_session(front_end):
    client = Client(enforce_csrf_checks=True)
    allowed = client.get(ME, HTTP_ORIGIN=FRONT_END)
    assert allowed["Access-Control-Allow-Origin"] == FRONT_END
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    preflight = client.options(
        LOGIN,
        HTTP_ORIGIN=FRONT_END,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-csrftoken",
    )
    assert preflight["Access-Control-Allow-Origin"] == FRONT_END
    assert "x-csrftoken" in preflight["Access-Control-Allow-Headers"]

    other = client.get(ME, HTTP_ORIGIN="https://elders.example")
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN=FRONT_END)  # only the API


def test_a_form_from_another_origin_is_refused_even_with_the_token(front_end):
    client = Client(enforce_csrf_checks=True)
    token = client.get(ME).json()["csrf_token"]
    data = {"message": "Van elders", "page": "/"}
    refused = post(client, FEEDBACK, data, token, HTTP_ORIGIN="https://elders.example")
    assert refused.status_code == 403
    assert not Feedback.objects.filter(message="Van elders").exists()
    assert post(client, FEEDBACK, data, token, HTTP_ORIGIN=FRONT_END).status_code == 201
    assert Feedback.objects.filter(message="Van elders").count() == 1
