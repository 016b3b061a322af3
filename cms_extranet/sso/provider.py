"""The identity provider as its discovery document describes it, and the settings that
mozilla-django-oidc asks for, taken from the extranet's own (``EXTRANET_OIDC_*``)."""

from urllib.parse import urlencode

import requests
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.utils import import_from_settings

from ..conf import extranet_settings

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# The flow as the extranet runs it: code flow with PKCE, state and nonce, RS256 ID tokens.
FIXED = {
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_IDP_SIGN_KEY": None,
    "OIDC_USE_PKCE": True,
    "OIDC_USE_NONCE": True,
    "OIDC_STORE_ID_TOKEN": True,  # the hint for the logout at the provider
    "OIDC_RP_SCOPES": "openid email profile",
    "OIDC_AUTHENTICATION_CALLBACK_URL": "extranet_sso:callback",
    "OIDC_CREATE_USER": True,
    "OIDC_TIMEOUT": 10,
    "OIDC_STATE_SIZE": 32,
    "OIDC_NONCE_SIZE": 32,
    "OIDC_EXEMPT_URLS": [],
}


def configured():
    return bool(extranet_settings.OIDC_ISSUER)


def issuer():
    return extranet_settings.OIDC_ISSUER.rstrip("/")


def discovery():
    """The provider's discovery document, kept an hour; it must name the configured issuer."""
    key = f"extranet_sso_discovery:{issuer()}"
    document = cache.get(key)
    if document is None:
        response = requests.get(f"{issuer()}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != issuer():
            raise ImproperlyConfigured(
                f"The provider at {issuer()} names another issuer: {document.get('issuer')!r}"
            )
        cache.set(key, document, 3600)
    return document


def setting(name, *default):
    """What mozilla-django-oidc's views and backend ask for."""
    if name in ENDPOINTS:
        return discovery()[ENDPOINTS[name]]
    if name == "OIDC_RP_CLIENT_ID":
        return extranet_settings.OIDC_CLIENT_ID
    if name == "OIDC_RP_CLIENT_SECRET":
        return extranet_settings.OIDC_CLIENT_SECRET
    if name == "OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS":
        return extranet_settings.OIDC_REVALIDATE_SECONDS
    if name in FIXED:
        return FIXED[name]
    return import_from_settings(name, *default)


def logout_url(request):
    """RP-initiated logout: the provider ends its own session too, then sends the visitor
    to the home page. Call it before the local logout, which clears the ID token."""
    end_session = discovery().get("end_session_endpoint")
    if not end_session:
        return None
    params = {"post_logout_redirect_uri": request.build_absolute_uri("/"), "client_id": extranet_settings.OIDC_CLIENT_ID}
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{end_session}?{urlencode(params)}"


def setting_property(name):
    """A class attribute of mozilla-django-oidc's views, backend and middleware that is
    read when used, not when the class is made: the provider is asked only when needed."""
    return property(lambda self: self.get_settings(name))
