from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsExtranetConfig(AppConfig):
    name = "cms_extranet"
    label = "cms_extranet"
    verbose_name = _("Extranet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 (registers them)
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
