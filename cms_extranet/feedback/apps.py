from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """The feedback form behind every page's `Geef feedback` link (SPEC §10)."""

    name = "cms_extranet.feedback"
    label = "extranet_feedback"
    verbose_name = _("Feedback")
    default_auto_field = "django.db.models.BigAutoField"
