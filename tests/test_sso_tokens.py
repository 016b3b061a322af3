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
    assert refused(sign(key="a shared secret", algorithm="HS256"))
    assert refused(jwt.encode({"iss": ISSUER, "aud": "extranet-site", "sub": "x"}, None, algorithm="none"))
