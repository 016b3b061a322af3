"""The ID token checks of the provider login (cms_extranet.sso), each refusal on its own:
mozilla-django-oidc checks only the signature and the nonce. The whole flow runs against
Keycloak in tests/test_sso.py."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from cms_extranet.sso.backends import ProviderBackend

ISSUER = "https://login.vdab.example/realms/extranet"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def sign(settings, monkeypatch):
    settings.EXTRANET_OIDC_ISSUER = ISSUER
    settings.EXTRANET_OIDC_CLIENT_ID = "extranet-site"
    # The provider's published key, as retrieve_matching_jwk would find it in its JWKS.
    monkeypatch.setattr(ProviderBackend, "retrieve_matching_jwk", lambda self, token: KEY.public_key())

    def sign(key=KEY, algorithm="RS256", **claims):
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": "extranet-site", "sub": "f81d4fae", "iat": now, "exp": now + 300, "nonce": "n-1"}
        payload.update(claims)
        return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm)

    return sign


def refused(token, nonce="n-1"):
    with pytest.raises(SuspiciousOperation):
        ProviderBackend().verify_token(token, nonce=nonce)
    return True


def test_a_token_of_the_provider_for_this_site_is_taken(sign):
    assert ProviderBackend().verify_token(sign(), nonce="n-1")["sub"] == "f81d4fae"


def test_a_token_from_another_issuer_for_another_client_or_expired_is_refused(sign):
    assert refused(sign(iss="https://elders.example/realms/extranet"))
    assert refused(sign(aud="another-client"))
    assert refused(sign(exp=int(time.time()) - 60))
    assert refused(sign(aud=None))
    assert refused(sign(), nonce="n-2")  # the nonce of another login


def test_a_tampered_or_foreign_signed_token_is_refused(sign):
    header, payload, signature = sign().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert refused(f"{header}.{forged}.{signature}")
    assert refused(sign(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    assert refused(sign(key="a shared secret, long enough for HS256", algorithm="HS256"))
    assert refused(jwt.encode({"iss": ISSUER, "aud": "extranet-site", "sub": "x"}, None, algorithm="none"))


@pytest.fixture
def provider_session(sign, client, django_user_model):
    """A partner logged in through the provider: their session and its ``sid``."""
    from cms_extranet.sso.models import IdentityLink, ProviderSession

    user = django_user_model.objects.get(username="mlp.partner")
    IdentityLink.objects.create(user=user, issuer=ISSUER, subject="f81d4fae")
    client.force_login(user)
    ProviderSession.objects.create(session_key=client.session.session_key, user=user, sid="sid-1")
    return client


def logout_token(sign, **claims):
    claims = {"events": {"http://schemas.openid.net/event/backchannel-logout": {}}, "jti": str(time.time_ns()),
              "sid": "sid-1", "nonce": None, "exp": None, **claims}
    return sign(**claims)


def logged_in(client):
    return client.get("/profiel/").status_code == 200


@pytest.mark.django_db
def test_a_back_channel_logout_of_the_provider_ends_the_session_it_names(sign, provider_session):
    assert logged_in(provider_session)
    answer = Client().post("/inloggen/extern/afmelden/", {"logout_token": logout_token(sign)})
    assert answer.status_code == 200
    assert not logged_in(provider_session)


@pytest.mark.django_db
def test_a_logout_token_that_is_foreign_forged_not_a_logout_or_replayed_ends_nothing(sign, provider_session):
    events = {"http://schemas.openid.net/event/backchannel-logout": {}}
    taken = logout_token(sign, sid="another-sid")
    assert Client().post("/inloggen/extern/afmelden/", {"logout_token": taken}).status_code == 200
    for token in (
        logout_token(sign, iss="https://elders.example/realms/extranet"),
        logout_token(sign, aud="another-client"),
        logout_token(sign, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        logout_token(sign, events={"http://example.org/other-event": {}}),
        logout_token(sign, nonce="n-1"),  # an ID token, not a logout token
        logout_token(sign, events=events, jti=None),
        taken,  # used once already
    ):
        assert Client().post("/inloggen/extern/afmelden/", {"logout_token": token}).status_code == 400
    assert logged_in(provider_session)


@pytest.mark.django_db
@pytest.mark.parametrize("accepted", ["local", "provider", "both"])
def test_the_admin_takes_the_logins_the_setting_names(settings, accepted):
    from django.contrib.auth import get_user_model

    settings.EXTRANET_OIDC_ISSUER = ISSUER
    settings.EXTRANET_OIDC_ADMIN_LOGINS = accepted
    editor = get_user_model().objects.get(username="redacteur")
    local, federated = Client(), Client()
    local.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    federated.force_login(editor, backend="cms_extranet.sso.backends.ProviderBackend")
    session = federated.session
    session["oidc_id_token_expiration"] = time.time() + 3600  # checked with the provider just now
    session.save()
    answers = {name: client.get("/admin/").status_code for name, client in (("local", local), ("provider", federated))}
    expected = {"local": 200 if accepted != "provider" else 403, "provider": 200 if accepted != "local" else 403}
    assert answers == expected
    login_page = Client().get("/admin/login/?next=/admin/pages/")
    if accepted == "provider":
        assert login_page["Location"] == "/inloggen/extern/?next=%2Fadmin%2Fpages%2F"
    else:
        assert login_page.status_code == 200


@pytest.mark.django_db
def test_a_provider_that_cannot_be_reached_leaves_the_session_as_it_is(settings):
    """The check with the provider (every OIDC_REVALIDATE_SECONDS) is skipped, not an error."""
    from django.contrib.auth import get_user_model

    settings.EXTRANET_OIDC_ISSUER = "http://127.0.0.1:9/realms/extranet"  # nothing listens
    client = Client()
    client.force_login(get_user_model().objects.get(username="mlp.partner"), backend="cms_extranet.sso.backends.ProviderBackend")
    assert client.get("/profiel/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("target, kept", [("/mlp/richtlijnen/", "/mlp/richtlijnen/"), ("https://elders.example/", None), ("//elders.example/", None)])
def test_the_login_at_the_provider_asks_with_pkce_and_comes_back_only_to_a_local_page(settings, monkeypatch, target, kept):
    from urllib.parse import parse_qs, urlsplit

    from cms_extranet.sso import provider

    settings.EXTRANET_OIDC_ISSUER = ISSUER
    settings.EXTRANET_OIDC_CLIENT_ID = "extranet-site"
    monkeypatch.setattr(provider, "discovery", lambda: {"authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth"})
    client = Client()
    answer = client.get("/inloggen/extern/", {"next": target})
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert answer["Location"].startswith(f"{ISSUER}/protocol/openid-connect/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == ["extranet-site"]
    assert query["state"][0] in client.session["oidc_states"] and query["nonce"]
    assert client.session.get("oidc_login_next") == kept


@pytest.mark.django_db
def test_the_claims_replace_the_rights_but_leave_the_profiles_granted_in_toegangsbeheer():
    from django.contrib.auth import get_user_model

    from cms_extranet.access import user_profiles
    from cms_extranet.sso.claims import apply_claims

    User = get_user_model()
    user = User.objects.get(username="uitbetaling.medewerker")  # granted uitbetaling, no right gives it
    assert user_profiles(User.objects.get(pk=user.pk)) == {"uitbetaling"}
    apply_claims(user, {"extranet_rights": ["mijn-vdab", "das"], "vestiging": "VES-HULPKAS", "auditor": "false"})
    fresh = User.objects.get(pk=user.pk)
    assert sorted(fresh.partner_account.rights.values_list("code", flat=True)) == ["das", "mijn-vdab"]
    assert user_profiles(fresh) == {"uitbetaling", "das"}
