from django.contrib import messages
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ..conf import extranet_settings
from . import provider


class LoginView(OIDCAuthenticationRequestView):
    """Sends the visitor to the provider's login; ``next`` stays a local address."""

    get_settings = staticmethod(provider.setting)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(provider.setting)

    @property
    def failure_url(self):
        return resolve_url("extranet:login")

    def login_failure(self):
        messages.error(self.request, _("Logging in through %(provider)s did not work. Try again.") % {
            "provider": extranet_settings.OIDC_PROVIDER_NAME
        })
        return super().login_failure()

