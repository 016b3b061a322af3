from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ..conf import extranet_settings
from . import provider
from .backends import ProviderBackend
from .models import IdentityLink, ProviderSession

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class LoginView(OIDCAuthenticationRequestView):
    """Sends the visitor to the provider's login; ``next`` stays a local address."""

    get_settings = staticmethod(provider.setting)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(provider.setting)

    @property
    def failure_url(self):
        return resolve_url("extranet:login")

    def login_success(self):
        response = super().login_success()
        ProviderSession.objects.update_or_create(
            session_key=self.request.session.session_key,
            defaults={"user": self.user, "sid": self.request.session.get("oidc_sid", "")},
        )
        return response

    def login_failure(self):
        messages.error(
            self.request,
            _("Logging in through %(provider)s did not work. Try again.") % {"provider": extranet_settings.OIDC_PROVIDER_NAME},
        )
        return super().login_failure()


@method_decorator(csrf_exempt, name="dispatch")
class BackchannelLogoutView(View):
    """OpenID Connect Back-Channel Logout 1.0: the provider posts a signed logout token,
    and the sessions it names end at once (the user's next request is logged out)."""

    http_method_names = ["post"]

    def post(self, request):
        if not provider.configured():
            return HttpResponseBadRequest()
        token = request.POST.get("logout_token", "")
        backend = ProviderBackend()
        try:
            claims = backend.decode(token, backend.retrieve_matching_jwk(token), ["iat", "iss", "aud", "jti"])
        except Exception:  # an unreadable, foreign or forged token alike
            return HttpResponseBadRequest()
        if BACKCHANNEL_LOGOUT_EVENT not in (claims.get("events") or {}) or "nonce" in claims:
            return HttpResponseBadRequest()
        if not (claims.get("sid") or claims.get("sub")):
            return HttpResponseBadRequest()
        if not cache.add(f"extranet_sso_logout:{claims['jti']}", True, 3600):
            return HttpResponseBadRequest()  # a token is taken once
        # The session the provider names (sid), else every session of the user (sub).
        sessions = ProviderSession.objects.all()
        if claims.get("sid"):
            sessions = sessions.filter(sid=claims["sid"])
        if claims.get("sub"):
            link = IdentityLink.objects.filter(issuer=provider.issuer(), subject=claims["sub"]).first()
            sessions = sessions.filter(user=link.user) if link else sessions.none()
        store = import_string(settings.SESSION_ENGINE).SessionStore
        for session in sessions:
            store(session.session_key).delete()
            session.delete()
        return HttpResponse(headers={"Cache-Control": "no-store"})
