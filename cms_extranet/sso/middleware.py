from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import cached_property
from mozilla_django_oidc.middleware import SessionRefresh

from . import provider


def _setting(name):
    return property(lambda self: self.get_settings(name))


class ProviderSessionRefresh(SessionRefresh):
    """Checks a session that began at the provider with it again every
    EXTRANET_OIDC_REVALIDATE_SECONDS (a silent ``prompt=none`` login in the browser):
    refused, the user is logged out; taken, the claims are applied again. Local sessions
    are left alone."""

    get_settings = staticmethod(provider.setting)
    OIDC_EXEMPT_URLS = _setting("OIDC_EXEMPT_URLS")
    OIDC_OP_AUTHORIZATION_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
    OIDC_STATE_SIZE = _setting("OIDC_STATE_SIZE")
    OIDC_AUTHENTICATION_CALLBACK_URL = _setting("OIDC_AUTHENTICATION_CALLBACK_URL")
    OIDC_RP_SCOPES = _setting("OIDC_RP_SCOPES")
    OIDC_USE_NONCE = _setting("OIDC_USE_NONCE")
    OIDC_NONCE_SIZE = _setting("OIDC_NONCE_SIZE")

    def __init__(self, get_response):
        MiddlewareMixin.__init__(self, get_response)  # the provider is asked only when needed

    @cached_property
    def exempt_urls(self):
        return {reverse("extranet_sso:login"), reverse("extranet_sso:callback"), reverse("extranet_sso:backchannel_logout"), reverse("extranet:logout")}

    def process_request(self, request):
        if provider.configured():
            return super().process_request(request)
        return None
