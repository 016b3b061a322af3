from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    """Login through the agency's identity provider (OpenID Connect), with the application
    rights it holds for the user (SPEC §3: "Je gebruikt dezelfde login")."""

    name = "cms_extranet.sso"
    label = "extranet_sso"
    verbose_name = _("Login through the identity provider")
    default_auto_field = "django.db.models.BigAutoField"
