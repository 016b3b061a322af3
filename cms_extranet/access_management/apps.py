from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessManagementConfig(AppConfig):
    """Toegangsbeheer for partner administrators, the agency's approval and the onboarding
    of uitbetalingsinstellingen (SPEC §3, §7, §8)."""

    name = "cms_extranet.access_management"
    label = "extranet_access"
    verbose_name = _("Access management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ..signals import partner_account_changed
        from .actions import record_account_change

        partner_account_changed.connect(record_account_change, dispatch_uid="extranet_audit_account")
