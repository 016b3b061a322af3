import logging
from urllib.parse import urlencode

import requests

from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.middleware import SessionRefresh

from ..conf import extranet_settings
from . import provider
from .backends import ProviderBackend

logger = logging.getLogger(__name__)


class ProviderSessionRefresh(SessionRefresh):
    """Checks a session that began at the provider with it again every
    EXTRANET_OIDC_REVALIDATE_SECONDS (a silent ``prompt=none`` login in the browser):
    refused, the user is logged out; taken, the claims are applied again. Local sessions
    are left alone."""

    get_settings = staticmethod(provider.setting)
    OIDC_EXEMPT_URLS = provider.setting_property("OIDC_EXEMPT_URLS")
    OIDC_OP_AUTHORIZATION_ENDPOINT = provider.setting_property("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = provider.setting_property("OIDC_RP_CLIENT_ID")
    OIDC_STATE_SIZE = provider.setting_property("OIDC_STATE_SIZE")
    OIDC_AUTHENTICATION_CALLBACK_URL = provider.setting_property("OIDC_AUTHENTICATION_CALLBACK_URL")
    OIDC_RP_SCOPES = provider.setting_property("OIDC_RP_SCOPES")
    OIDC_USE_NONCE = provider.setting_property("OIDC_USE_NONCE")
    OIDC_NONCE_SIZE = provider.setting_property("OIDC_NONCE_SIZE")

    def __init__(self, get_response):
        MiddlewareMixin.__init__(self, get_response)  # the provider is asked only when needed

    @cached_property
    def exempt_urls(self):
        return {reverse("extranet_sso:login"), reverse("extranet_sso:callback"), reverse("extranet_sso:backchannel_logout"), reverse("extranet:logout")}

    def process_request(self, request):
        if not provider.configured():
            return None
        try:
            return super().process_request(request)
        except (requests.RequestException, ImproperlyConfigured):
            # The provider cannot be asked: the session stays until the next check; its
            # back-channel logout still ends it once the provider is back.
            logger.warning("The identity provider cannot be reached to check a session.", exc_info=True)
            return None


class AdminLoginsMiddleware:
    """Which logins the Wagtail admin accepts (EXTRANET_OIDC_ADMIN_LOGINS): "local" accounts
    only, the "provider" only, or "both". A session of another kind gets the refusal on the
    admin's pages; with the provider only, the admin's login page sends to the provider."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        accepted = extranet_settings.OIDC_ADMIN_LOGINS
        if accepted != "both" and provider.configured() and request.path.startswith(self.admin_path):
            if request.path == self.admin_login_path and accepted == "provider" and not request.user.is_authenticated:
                return redirect(f"{reverse('extranet_sso:login')}?{urlencode({'next': request.GET.get('next', self.admin_path)})}")
            backend = request.session.get(BACKEND_SESSION_KEY, "")
            through_provider = backend and issubclass(import_string(backend), ProviderBackend)
            if request.user.is_authenticated and through_provider != (accepted == "provider"):
                raise PermissionDenied(
                    _("The admin takes only logins through %(provider)s.") % {"provider": extranet_settings.OIDC_PROVIDER_NAME}
                    if accepted == "provider"
                    else _("The admin takes only local accounts: log out, and log in with your local account.")
                )
        return self.get_response(request)

    @cached_property
    def admin_path(self):
        return reverse("wagtailadmin_home")

    @cached_property
    def admin_login_path(self):
        return reverse("wagtailadmin_login")
