from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PartnerAccount, Profile, Vestiging
from ..conf import extranet_settings
from ..storage import private_storage  # noqa: F401 (the migrations name it here)


def max_upload_size():
    return extranet_settings.MAX_UPLOAD_SIZE


def validate_pdf(file):
    if file.size > max_upload_size():
        raise ValidationError(
            _("Het bestand is te groot: hoogstens %(mb)s MB.")
            % {"mb": max_upload_size() // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("Dit bestand is geen PDF. Bezorg het ondertekende formulier als PDF."))


class Decision(models.Model):
    """Who at the agency decided, when and why."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beslist door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("beslist op"), null=True, blank=True)
    reason = models.TextField(_("reden"), blank=True)

    class Meta:
        abstract = True

    def record(self, status, user, reason=""):
        self.status, self.decided_by, self.decided_at, self.reason = status, user, timezone.now(), reason
        self.save()


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Wacht op goedkeuring door VDAB")
    GRANTED = "granted", _("Toegekend")
    REJECTED = "rejected", _("Afgewezen")
    WITHDRAWN = "withdrawn", _("Ingetrokken")


class AccessRequest(Decision):
    """A profile an administrator requested for a user of their vestiging (SPEC §8).

    Granted, it is a ProfileGrant; withdrawn, that grant is gone. One open request
    (pending or granted) per user and profile.
    """

    account = models.ForeignKey(
        PartnerAccount,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profiel"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangevraagd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("aangevraagd op"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("aanvraag")
        verbose_name_plural = _("aanvragen")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "profile"],
                condition=Q(status__in=["pending", "granted"]),
                name="one_open_access_request",
            )
        ]
        permissions = [("decide_accessrequest", _("Kan aanvragen goedkeuren of afwijzen"))]

    def __str__(self):
        return f"{self.profile} – {self.account}"

    @property
    def vestiging(self):
        return self.account.vestiging


class FormSource(models.TextChoices):
    UPLOAD = "upload", _("Opgeladen door de administrator")
    MAIL = "mail", _("Per post of mail ontvangen door VDAB")


class FormStatus(models.TextChoices):
    PENDING = "pending", _("Wacht op controle door VDAB")
    ACCEPTED = "accepted", _("Aanvaard")
    REJECTED = "rejected", _("Afgewezen")


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
        _("ondertekend formulier (PDF)"),
        storage=private_storage,
        upload_to="gebruiksvoorwaarden/%Y/%m/",
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )
    source = models.CharField(_("bron"), max_length=10, choices=FormSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bezorgd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("bezorgd op"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=FormStatus.choices, default=FormStatus.PENDING
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("formulier gebruiksvoorwaarden")
        verbose_name_plural = _("formulieren gebruiksvoorwaarden")
        permissions = [("review_termsform", _("Kan formulieren gebruiksvoorwaarden controleren"))]

    def __str__(self):
        return _("Formulier van %(account)s") % {"account": self.account}


class AuditAction(models.TextChoices):
    USER_CREATED = "user_created", _("Gebruiker aangemaakt")
    REQUESTED = "requested", _("Toegang aangevraagd")
    GRANTED = "granted", _("Toegang toegekend")
    REJECTED = "rejected", _("Toegang afgewezen")
    WITHDRAWN = "withdrawn", _("Toegang ingetrokken")
    ADMINISTRATOR_ADDED = "admin_added", _("Administrator aangeduid")
    ADMINISTRATOR_REMOVED = "admin_removed", _("Administratorrol ingetrokken")
    FORM_SUBMITTED = "form_submitted", _("Formulier gebruiksvoorwaarden bezorgd")
    FORM_ACCEPTED = "form_accepted", _("Formulier gebruiksvoorwaarden aanvaard")
    FORM_REJECTED = "form_rejected", _("Formulier gebruiksvoorwaarden afgewezen")
    VESTIGING_ACCESS = "vestiging_access", _("Vestiging heeft toegang tot Extranet voor Uitbetalingsinstellingen")
    ACCOUNT_CHANGED = "account_changed", _("Account gewijzigd door VDAB")


class AuditRecord(models.Model):
    """Who did what, when and why. Written once; never changed or deleted (SPEC §8).

    Names are copied so the record still reads after a user or account is gone.
    """

    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("door (naam)"), max_length=255)
    action = models.CharField(_("handeling"), max_length=20, choices=AuditAction.choices)
    account = models.ForeignKey(
        PartnerAccount,
        verbose_name=_("gebruiker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("gebruiker (naam)"), max_length=255, blank=True)
    vestiging = models.ForeignKey(
        Vestiging, verbose_name=_("vestiging"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profiel"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_request = models.ForeignKey(
        AccessRequest, verbose_name=_("aanvraag"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    form = models.ForeignKey(
        TermsForm, verbose_name=_("formulier"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reden"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("auditspoor")
        verbose_name_plural = _("auditsporen")

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name}: {self.get_action_display()} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Een auditspoor kan niet gewijzigd worden."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Een auditspoor kan niet verwijderd worden."))
