"""The agency's identity management pushes a change through SCIM 2.0 (cms_extranet.sso
provisioning): effective on the user's next request; refused without the bearer token."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms_extranet.access_management.models import AuditRecord
from cms_extranet.sso.provisioning import EXTENSION, PATCH_SCHEMA

pytestmark = pytest.mark.django_db
TOKEN = "provisioning-token-for-tests"
SECURED = "/mlp/richtlijnen/"


@pytest.fixture(autouse=True)
def scim_token(settings):
    settings.EXTRANET_SCIM_TOKEN = TOKEN


def scim(method, path, body=None, token=TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(Client(), method)(
        f"/scim/v2/{path}", json.dumps(body) if body is not None else None, content_type="application/scim+json", **headers
    )


def patch(user, *operations, token=TOKEN):
    return scim("patch", f"Users/{user.pk}", {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}, token=token)


def test_identity_management_finds_a_user_and_reads_their_rights():
    answer = scim("get", 'Users?filter=userName eq "mlp.partner"')
    assert answer.status_code == 200 and answer["Content-Type"] == "application/scim+json"
    [user] = answer.json()["Resources"]
    assert user["userName"] == "mlp.partner" and user["active"] is True
    assert user[EXTENSION] == {"rights": ["mijn-vdab", "mlp"], "vestiging": "VES-ANTWERPEN", "auditor": False, "mlpTraining": True}


def test_a_right_withdrawn_by_identity_management_refuses_the_next_request(login):
    partner = login("mlp.partner")
    assert partner.get(SECURED).status_code == 200
    user = get_user_model().objects.get(username="mlp.partner")
    answer = patch(user, {"op": "replace", "path": f"{EXTENSION}:rights", "value": ["mijn-vdab"]})
    assert answer.status_code == 200 and answer.json()[EXTENSION]["rights"] == ["mijn-vdab"]
    assert answer.json()[EXTENSION]["mlpTraining"] is True  # the rest as it was
    assert partner.get(SECURED).status_code == 403
    assert AuditRecord.objects.filter(account__user=user, actor_name="Identiteitsprovider").exists()


def test_a_user_deactivated_by_identity_management_is_logged_out_at_the_next_request(login):
    partner = login("mlp.partner")
    user = get_user_model().objects.get(username="mlp.partner")
    assert patch(user, {"op": "replace", "value": {"active": False}}).status_code == 200
    assert partner.get("/profiel/").status_code == 302  # to the login
    assert Client().login(username="mlp.partner", password="extranet-demo") is False


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x"])
def test_a_call_without_the_token_is_refused_and_changes_nothing(login, token):
    user = get_user_model().objects.get(username="mlp.partner")
    answer = patch(user, {"op": "replace", "value": {"active": False}}, token=token)
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")
    assert scim("get", f"Users/{user.pk}", token=token).status_code == 401
    user.refresh_from_db()
    assert user.is_active and login("mlp.partner").get(SECURED).status_code == 200


def test_without_a_token_in_the_settings_there_is_no_endpoint(settings):
    settings.EXTRANET_SCIM_TOKEN = ""
    assert scim("get", "Users").status_code == 404


def test_what_the_endpoint_cannot_do_is_refused_in_scims_words():
    user = get_user_model().objects.get(username="mlp.partner")
    answer = patch(user, {"op": "remove", "path": "active"})
    assert answer.status_code == 400 and answer.json()["scimType"] == "invalidValue"
    assert patch(user, {"op": "replace", "path": "userName", "value": "x"}).json()["scimType"] == "invalidPath"
    assert scim("get", "Users/999999").status_code == 404
    user.refresh_from_db()
    assert user.username == "mlp.partner" and user.is_active
