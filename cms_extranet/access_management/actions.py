"""What administrators and the agency do to access, each with its audit record and mails.

Every function takes the request of the person acting: who acts, and the address the
mailed links point to. A refusal raises ValidationError before anything is written.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import condition_met, user_rights
from ..conf import extranet_settings
from ..models import (
    AdministratorCapReached,
    ApplicationRight,
    OrganisationCondition,
    PartnerAccount,
    ProfileGrant,
)
from . import mails
from .models import (
    AccessRequest,
    AuditAction,
    AuditRecord,
    FormStatus,
    RequestStatus,
    TermsForm,
)


def display_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def audit(request, action, account=None, vestiging=None, **fields):
    """An audit record of what ``request``'s user did; without a request (the identity
    provider's data at a login), of the identity provider."""
    actor = request.user if request is not None else None
    return AuditRecord.objects.create(
        actor=actor,
        actor_name=display_name(actor) if actor is not None else str(_("Identity provider")),
        action=action,
        account=account,
        subject=display_name(account.user) if account else "",
        vestiging=vestiging or (account.vestiging if account else None),
        **fields,
    )


def refusal(account, profile):
    """Why an administrator may not request this profile for this user, or None (SPEC §3)."""
    if not profile.requestable:
        return _("An administrator cannot request the profile %(profile)s.") % {"profile": profile}
    if profile.denied_to_auditors and account.is_auditor:
        return _("An auditor cannot get the profile %(profile)s.") % {"profile": profile}
    if not condition_met(profile.request_condition, account):
        organisation = account.organisation
        if profile.request_condition == OrganisationCondition.REGISTERS_IN_MLP:
            return _(
                "You can request the profile %(profile)s only if your organisation registers in MLP."
            ) % {"profile": profile}
        if organisation is None or not organisation.is_uitbetalingsinstelling:
            return _(
                "The profile %(profile)s is only for payment institutions; %(organisation)s is not "
                "a payment institution."
            ) % {"profile": profile, "organisation": organisation}
        return _(
            "Your branch has no access to %(profile)s yet. It gets it when %(agency)s has accepted "
            "the terms of use form of every administrator."
        ) % {"profile": profile, "agency": extranet_settings.AGENCY_NAME}
    giving = ApplicationRight.objects.filter(profile=profile, code__in=user_rights(account.user)).first()
    if giving is not None:
        return _(
            "%(user)s already has the profile %(profile)s through the application right %(right)s."
        ) % {"user": account, "profile": profile, "right": giving}
    return None


def open_requests(accounts):
    """{account pk: {profile: state}} of the requestable profiles each user holds or waits
    for; two queries for any number of users."""
    states = {account.pk: {} for account in accounts}
    grants = ProfileGrant.objects.filter(account__in=accounts, profile__requestable=True)
    for grant in grants.select_related("profile"):
        states[grant.account_id][grant.profile] = RequestStatus.GRANTED
    pending = AccessRequest.objects.filter(account__in=accounts, status=RequestStatus.PENDING)
    for access_request in pending.select_related("profile"):
        states[access_request.account_id][access_request.profile] = RequestStatus.PENDING
    return states


@transaction.atomic
def create_user(request, administrator, first_name, last_name, email):
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("A user with the email address %(email)s already exists.") % {"email": email})
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    account = PartnerAccount.objects.create(user=user, vestiging=administrator.vestiging)
    audit(request, AuditAction.USER_CREATED, account)
    mails.queue((mails.access, user))
    return account


@transaction.atomic
def set_requests(request, account, wanted):
    """Request the newly ticked profiles, withdraw the unticked ones; all or nothing."""
    current = open_requests([account])[account.pk]
    new = [profile for profile in wanted if profile not in current]
    errors = [message for message in (refusal(account, profile) for profile in new) if message]
    if errors:
        raise ValidationError(errors)
    for profile in new:
        access_request = AccessRequest.objects.create(
            account=account, profile=profile, requested_by=request.user
        )
        audit(request, AuditAction.REQUESTED, account, profile=profile, access_request=access_request)
        if not profile.needs_approval:
            _grant(request, access_request)
    for profile in set(current) - set(wanted):
        withdraw(request, account, profile)
    return new


def _grant(request, access_request):
    access_request.record(RequestStatus.GRANTED, request.user, access_request.reason)
    ProfileGrant.objects.get_or_create(
        account=access_request.account,
        profile=access_request.profile,
        defaults={"approved_by": request.user},
    )
    audit(
        request, AuditAction.GRANTED, access_request.account,
        profile=access_request.profile, access_request=access_request, reason=access_request.reason,
    )


@transaction.atomic
def withdraw(request, account, profile):
    """Effective on the user's next request: their profiles are worked out per request."""
    ProfileGrant.objects.filter(account=account, profile=profile).delete()
    AccessRequest.objects.filter(
        account=account, profile=profile, status__in=[RequestStatus.PENDING, RequestStatus.GRANTED]
    ).update(status=RequestStatus.WITHDRAWN, decided_by=request.user, decided_at=timezone.now())
    audit(request, AuditAction.WITHDRAWN, account, profile=profile)


def can_decide(user, access_request):
    return (
        user.has_perm("extranet_access.decide_accessrequest")
        and access_request.status == RequestStatus.PENDING
        and access_request.requested_by_id != user.pk
    )


@transaction.atomic
def decide(request, access_request, approve, reason=""):
    access_request = AccessRequest.objects.select_for_update(of=("self",)).select_related(
        "account__user", "profile"
    ).get(pk=access_request.pk)
    if access_request.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been handled."))
    if access_request.requested_by_id == request.user.pk:
        raise ValidationError(_("You cannot decide on a request you made yourself."))
    if not request.user.has_perm("extranet_access.decide_accessrequest"):
        raise ValidationError(_("You may not decide on requests."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give the reason why you reject the request.")})
    access_request.reason = reason.strip()
    user = access_request.account.user
    if approve:
        _grant(request, access_request)
        mails.queue((mails.granted, access_request), (mails.access, user))
    else:
        access_request.record(RequestStatus.REJECTED, request.user, access_request.reason)
        audit(
            request, AuditAction.REJECTED, access_request.account,
            profile=access_request.profile, access_request=access_request, reason=access_request.reason,
        )
        mails.queue((mails.rejected, access_request))
    return access_request


def set_administrator(request, account, value):
    """Appoint or relieve an administrator; a third for a vestiging is refused, also when
    two appointments race (the database's unique place decides)."""
    if account.is_administrator == value:
        return
    try:
        with transaction.atomic():
            account.is_administrator = value
            account.administrator_slot = None
            account.save()
            audit(
                request,
                AuditAction.ADMINISTRATOR_ADDED if value else AuditAction.ADMINISTRATOR_REMOVED,
                account,
            )
    except (AdministratorCapReached, IntegrityError):
        account.refresh_from_db()
        raise AdministratorCapReached(account.vestiging) from None


def administers(account):
    """Whether the account is an administrator of a branch: Toegangsbeheer is theirs."""
    return account is not None and account.is_administrator and bool(account.vestiging_id)


def needs_accepted_form(account):
    """An administrator of an uitbetalingsinstelling whose vestiging has access reaches
    Toegangsbeheer only once their own form is accepted (SPEC §7)."""
    vestiging = account.vestiging
    return (
        vestiging is not None
        and vestiging.organisation.is_uitbetalingsinstelling
        and vestiging.uitbetaling_access
        and not account.terms_forms.filter(status=FormStatus.ACCEPTED).exists()
    )


def form_refusal(account):
    organisation = account.organisation
    if organisation is None:
        return _(
            "This user has no organisation. Only payment institutions get access to the Extranet "
            "for Payment Institutions."
        )
    if not organisation.is_uitbetalingsinstelling:
        return _(
            "%(organisation)s is not a payment institution. Only payment institutions get access "
            "to the Extranet for Payment Institutions."
        ) % {"organisation": organisation}
    if not account.is_administrator:
        return _(
            "Only (candidate) administrators submit the terms of use form. Appoint %(user)s as "
            "administrator first."
        ) % {"user": account}
    return None


@transaction.atomic
def submit_form(request, account, file, source):
    message = form_refusal(account)
    if message:
        raise ValidationError(message)
    form = TermsForm.objects.create(account=account, file=file, source=source, submitted_by=request.user)
    audit(request, AuditAction.FORM_SUBMITTED, account, form=form)
    return form


@transaction.atomic
def review_form(request, form, accept, reason=""):
    form = TermsForm.objects.select_for_update(of=("self",)).select_related("account__vestiging__organisation").get(pk=form.pk)
    if form.status != FormStatus.PENDING:
        raise ValidationError(_("This form has already been reviewed."))
    if not request.user.has_perm("extranet_access.review_termsform"):
        raise ValidationError(_("You may not review forms."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Give the reason why you reject the form.")})
    form.record(FormStatus.ACCEPTED if accept else FormStatus.REJECTED, request.user, reason.strip())
    audit(
        request, AuditAction.FORM_ACCEPTED if accept else AuditAction.FORM_REJECTED,
        form.account, form=form, reason=form.reason,
    )
    if accept:
        open_vestiging_if_ready(request, form.account.vestiging)
    else:
        mails.queue((mails.form_rejected, form))
    return form


def open_vestiging_if_ready(request, vestiging):
    """Once every administrator's form is accepted, the vestiging has access and each
    administrator hears they can request the right for staff."""
    vestiging = type(vestiging).objects.select_for_update(of=("self",)).get(pk=vestiging.pk)
    if vestiging.uitbetaling_access:
        return
    administrators = list(
        PartnerAccount.objects.filter(vestiging=vestiging, is_administrator=True).select_related("user")
    )
    accepted = set(
        TermsForm.objects.filter(account__in=administrators, status=FormStatus.ACCEPTED).values_list(
            "account_id", flat=True
        )
    )
    if not administrators or any(a.pk not in accepted for a in administrators):
        return
    vestiging.uitbetaling_access = True
    vestiging.save(update_fields=["uitbetaling_access"])
    audit(request, AuditAction.VESTIGING_ACCESS, vestiging=vestiging)
    mails.queue(*((mails.vestiging_access, administrator.user) for administrator in administrators))


def record_account_change(sender, request, account, changes, **kwargs):
    """The agency's edit of an account in the admin, field by field."""
    audit(
        request,
        AuditAction.ACCOUNT_CHANGED,
        account,
        reason="; ".join(f"{label}: {old or '-'} → {new or '-'}" for label, (old, new) in changes.items()),
    )
