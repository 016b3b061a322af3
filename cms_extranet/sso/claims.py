"""The provider's claims feed the data the trunk reads (SPEC §3): the application rights,
the branch, the auditor and MLP training flags. The rules stay in ``cms_extranet.access``."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..conf import extranet_settings
from ..models import ApplicationRight, PartnerAccount, UserRight, Vestiging
from ..signals import partner_account_changed


def _flag(value):
    return value is True or str(value).strip().lower() in {"true", "1", "yes", "ja"}


def _codes(value):
    if value in (None, ""):
        return set()
    return {str(code).strip() for code in ([value] if isinstance(value, str) else value) if str(code).strip()}


def apply_claims(user, claims):
    """Bring the user's partner account in line with the claims, in one transaction, and
    tell ``partner_account_changed`` what changed (the audit trail). Profiles granted
    through Toegangsbeheer are not the provider's and stay as they are."""
    names = extranet_settings.OIDC_CLAIMS
    with transaction.atomic():
        account, _created = PartnerAccount.objects.select_for_update().get_or_create(user=user)
        held = {right.code: right for right in account.rights.all()}
        wanted = {right.code: right for right in ApplicationRight.objects.filter(code__in=_codes(claims.get(names["rights"])))}
        identifier = claims.get(names["vestiging"])
        vestiging = Vestiging.objects.filter(identifier=str(identifier)).first() if identifier else None
        changes = {}
        if set(held) != set(wanted):
            UserRight.objects.filter(account=account).exclude(right__code__in=wanted).delete()
            UserRight.objects.bulk_create(
                [UserRight(account=account, right=right) for code, right in wanted.items() if code not in held]
            )
            changes[_("application rights")] = (", ".join(sorted(held)), ", ".join(sorted(wanted)))
        if account.vestiging_id != (vestiging.pk if vestiging else None):
            changes[_("branch")] = (str(account.vestiging or ""), str(vestiging or ""))
            if account.is_administrator:  # an administrator is one of their branch
                account.is_administrator = False
                changes[_("administrator")] = (_("yes"), _("no"))
            account.vestiging = vestiging
        for field, claim, label in (
            ("is_auditor", "auditor", _("auditor")),
            ("mlp_training_followed", "mlp_training", _("MLP training followed")),
        ):
            value = _flag(claims.get(names[claim]))
            if getattr(account, field) != value:
                changes[label] = (_("yes") if not value else _("no"), _("yes") if value else _("no"))
                setattr(account, field, value)
        account.save()
        if changes:
            partner_account_changed.send(PartnerAccount, request=None, account=account, changes=changes)
    return account
