import swapper
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.utils.translation import gettext_lazy as _

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


def can_follow(user):
    """SPEC §9: following, and its digests, are for users who hold at least one profile."""
    from ..access import user_profiles

    return bool(user_profiles(user))


class Mailing(models.TextChoices):
    NEVER = "never", _("Nooit")
    DAILY = "daily", _("Dagelijks")
    WEEKLY = "weekly", _("Wekelijks")


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extranet_follows",
        verbose_name=_("gebruiker"),
    )
    page = models.ForeignKey(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("pagina")
    )
    created_at = models.DateTimeField(_("gevolgd sinds"), auto_now_add=True)

    class Meta:
        verbose_name = _("gevolgde pagina")
        verbose_name_plural = _("gevolgde pagina's")
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="extranet_follow_once")
        ]

    def __str__(self):
        return f"{self.user} → {self.page}"


class MailingPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="extranet_mailing",
        verbose_name=_("gebruiker"),
    )
    mailing = models.CharField(
        _("mailing"), max_length=10, choices=Mailing.choices, default=Mailing.NEVER
    )

    class Meta:
        verbose_name = _("mailingvoorkeur")
        verbose_name_plural = _("mailingvoorkeuren")

    @classmethod
    def of(cls, user):
        return cls.objects.filter(user=user).values_list("mailing", flat=True).first() or Mailing.NEVER


class PageChange(models.Model):
    """A published revision of a page, as the followers' digests list it."""

    page = models.ForeignKey(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("pagina")
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisie"),
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), db_index=True)
    minor = models.BooleanField(
        _("kleine wijziging"), default=False, help_text=_("Volgers krijgen er geen mail over.")
    )
    note = models.CharField(_("wijzigingsnota"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("paginawijziging")
        verbose_name_plural = _("paginawijzigingen")
        indexes = [models.Index(fields=["page", "published_at"])]

    def __str__(self):
        return f"{self.page} ({self.published_at:%d-%m-%Y %H:%M})"


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", _("In opbouw")
    PENDING = "pending", _("Klaar om te versturen")
    SENT = "sent", _("Verstuurd")
    SKIPPED = "skipped", _("Niet verstuurd")
    FAILED = "failed", _("Geweigerd door de mailserver")


class Digest(models.Model):
    """One digest per user and period: claimed, then built (its mail into the outbox),
    then sent. The unique constraint makes a period's digest exist once whatever
    retries happen.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extranet_digests",
        verbose_name=_("gebruiker"),
    )
    frequency = models.CharField(
        _("frequentie"),
        max_length=10,
        choices=[(Mailing.DAILY, Mailing.DAILY.label), (Mailing.WEEKLY, Mailing.WEEKLY.label)],
    )
    period = models.DateField(_("periode"))
    window_start = models.DateTimeField(_("wijzigingen vanaf"), null=True)
    window_end = models.DateTimeField(_("wijzigingen tot"))
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.CLAIMED
    )
    reason = models.CharField(_("reden"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("geclaimd op"), auto_now_add=True)
    built_at = models.DateTimeField(_("opgebouwd op"), null=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="extranet_digest_once_per_period"
            )
        ]
        indexes = [
            models.Index(fields=["frequency", "period", "status"]),
            models.Index(fields=["user", "window_end"]),
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} {self.period:%d-%m-%Y}: {self.user}"


class OutboxMail(models.Model):
    """The transactional outbox: a digest's mail, written in the transaction that builds
    it, sent afterwards. ``message_id`` is derived from (user, period), so a resend after
    a crash is the same message.
    """

    digest = models.OneToOneField(
        Digest, on_delete=models.CASCADE, primary_key=True, related_name="mail"
    )
    recipient = models.EmailField(_("ontvanger"))
    message_id = models.CharField(_("Message-ID"), max_length=200)
    subject = models.CharField(_("onderwerp"), max_length=200)
    body_text = models.TextField(_("tekst"))
    body_html = models.TextField(_("HTML"))
    unsubscribe_url = models.URLField(_("afmeldlink"), max_length=500)
    # What the mail was built under: the restriction tree's version and the user's
    # profiles. A sender that finds either changed builds the mail again (SPEC §9).
    access_key = models.CharField(_("gebouwd met toegang"), max_length=500, blank=True)
    send_started_at = models.DateTimeField(_("verzending gestart op"), null=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)

    class Meta:
        verbose_name = _("mail in de outbox")
        verbose_name_plural = _("mails in de outbox")

    def __str__(self):
        return self.subject

    def email_message(self, connection=None):
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.body_text,
            to=[self.recipient],
            connection=connection,
            headers={
                "Message-ID": self.message_id,
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(self.body_html, "text/html")
        return message
