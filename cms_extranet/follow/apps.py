from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FollowConfig(AppConfig):
    """Following pages and digest mails (SPEC §9): the ``follow`` component of the extranet."""

    name = "cms_extranet.follow"
    label = "extranet_follow"
    verbose_name = _("Following pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers

        post_migrate.connect(signal_handlers.sync_schedules, sender=self)
