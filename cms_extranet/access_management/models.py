from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import PartnerAccount, Profile, Vestiging
from ..conf import agency_text, extranet_settings
from ..storage import private_storage  # noqa: F401 (the migrations name it here)


def max_upload_size():
    return extranet_settings.MAX_UPLOAD_SIZE


def validate_pdf(file):
    if file.size > max_upload_size():
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": max_upload_size() // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("This file is not a PDF. Submit the signed form as a PDF."))


class Decision(models.Model):
    """Who at the agency decided, when and why."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True

    def record(self, status, user, reason=""):
        self.status, self.decided_by, self.decided_at, self.reason = status, user, timezone.now(), reason
        self.save()


class RequestStatus(models.TextChoices):
    PENDING = "pending", agency_text(_("Waiting for approval by %(agency)s"))
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", pgettext_lazy("decision", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccessRequest(Decision):
    """A profile an administrator requested for a user of their vestiging (SPEC §8).

    Granted, it is a ProfileGrant; withdrawn, that grant is gone. One open request
    (pending or granted) per user and profile.
    """

    account = models.ForeignKey(
        PartnerAccount,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("access request", "requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "profile"],
                condition=Q(status__in=["pending", "granted"]),
                name="one_open_access_request",
            )
        ]
        permissions = [("decide_accessrequest", _("Can approve or reject requests"))]

    def __str__(self):
        return f"{self.profile} – {self.account}"

    @property
    def vestiging(self):
        return self.account.vestiging


class FormSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded by the administrator")
    MAIL = "mail", agency_text(_("Received by %(agency)s by post or mail"))


class FormStatus(models.TextChoices):
    PENDING = "pending", agency_text(_("Waiting for review by %(agency)s"))
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", pgettext_lazy("decision", "Rejected")


class TermsForm(Decision):
    """A signed "Formulier Gebruiksvoorwaarden Extranet Uitbetalingsinstellingen" of an
    administrator of an uitbetalingsinstelling (SPEC §7)."""

    account = models.ForeignKey(
        PartnerAccount,
        verbose_name=_("administrator"),
        on_delete=models.CASCADE,
        related_name="terms_forms",
    )
    file = models.FileField(
        _("signed form (PDF)"),
        storage=private_storage,
        upload_to="gebruiksvoorwaarden/%Y/%m/",
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )
    source = models.CharField(_("source"), max_length=10, choices=FormSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted on"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=FormStatus.choices, default=FormStatus.PENDING
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("terms of use form")
        verbose_name_plural = _("terms of use forms")
        permissions = [("review_termsform", _("Can review terms of use forms"))]

    def __str__(self):
        return _("Form of %(account)s") % {"account": self.account}


class AuditAction(models.TextChoices):
    USER_CREATED = "user_created", _("User created")
    REQUESTED = "requested", _("Access requested")
    GRANTED = "granted", _("Access granted")
    REJECTED = "rejected", _("Access rejected")
    WITHDRAWN = "withdrawn", _("Access withdrawn")
    ADMINISTRATOR_ADDED = "admin_added", _("Administrator appointed")
    ADMINISTRATOR_REMOVED = "admin_removed", _("Administrator role withdrawn")
    FORM_SUBMITTED = "form_submitted", _("Terms of use form submitted")
    FORM_ACCEPTED = "form_accepted", _("Terms of use form accepted")
    FORM_REJECTED = "form_rejected", _("Terms of use form rejected")
    VESTIGING_ACCESS = "vestiging_access", _("Branch has access to the Extranet for Payment Institutions")
    ACCOUNT_CHANGED = "account_changed", agency_text(_("Account changed by %(agency)s"))


class AuditRecord(models.Model):
    """Who did what, when and why. Written once; never changed or deleted (SPEC §8).

    Names are copied so the record still reads after a user or account is gone.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=255)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    account = models.ForeignKey(
        PartnerAccount,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("user (name)"), max_length=255, blank=True)
    vestiging = models.ForeignKey(
        Vestiging, verbose_name=_("branch"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_request = models.ForeignKey(
        AccessRequest, verbose_name=_("request"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    form = models.ForeignKey(
        TermsForm, verbose_name=_("form"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name}: {self.get_action_display()} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("An audit record cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An audit record cannot be deleted."))
