from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowConfig(AppConfig):
    """Following pages and digest mails (SPEC §9): the ``follow`` component of the extranet."""

    name = "cms_extranet.follow"
    label = "extranet_follow"
    verbose_name = _("Following pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401
