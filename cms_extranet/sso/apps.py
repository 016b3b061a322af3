from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    """Login through the agency's identity provider (OpenID Connect), with the application
    rights it holds for the user (SPEC §3: "Je gebruikt dezelfde login")."""

    name = "cms_extranet.sso"
    label = "extranet_sso"
    verbose_name = _("Login through the identity provider")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .models import ProviderSession

        def forget_session(sender, request, **kwargs):
            if request is not None and request.session.session_key:
                ProviderSession.objects.filter(session_key=request.session.session_key).delete()

        user_logged_out.connect(forget_session, dispatch_uid="extranet_sso_forget_session", weak=False)
