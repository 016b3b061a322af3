import swapper
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


def can_follow(user):
    """SPEC §9: following, and its digests, are for users who hold at least one profile."""
    from ..access import user_profiles

    return bool(getattr(user, "pk", None)) and bool(user_profiles(user))  # not a stand-in


def is_following(user, page):
    return can_follow(user) and Follow.objects.filter(user=user, page=page).exists()


def followed_rows(user, removed=()):
    """The followed pages the user may read, by title, each with its readable breadcrumb;
    with ``removed`` (ids just unfollowed) shown once more, ``following`` false."""
    from ..access import readable_breadcrumbs, readable_pages

    Page = swapper.load_model("wagtailcore", "Page")
    followed = set(Follow.objects.filter(user=user).values_list("page_id", flat=True))
    shown = followed | set(removed)
    pages = list(readable_pages(user, Page.objects.live().filter(pk__in=shown)).order_by("title"))
    breadcrumbs = readable_breadcrumbs(user, pages)
    return [
        {"page": page, "breadcrumb": breadcrumbs[page.pk], "following": page.pk in followed}
        for page in pages
    ]


class Mailing(models.TextChoices):
    NEVER = "never", pgettext_lazy("mailing frequency", "Never")
    DAILY = "daily", pgettext_lazy("mailing frequency", "Daily")
    WEEKLY = "weekly", pgettext_lazy("mailing frequency", "Weekly")


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extranet_follows",
        verbose_name=_("user"),
    )
    page = models.ForeignKey(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed page")
        verbose_name_plural = _("followed pages")
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
        verbose_name=_("user"),
    )
    mailing = models.CharField(
        _("mailing"), max_length=10, choices=Mailing.choices, default=Mailing.NEVER
    )

    class Meta:
        verbose_name = _("mailing preference")
        verbose_name_plural = _("mailing preferences")

    @classmethod
    def of(cls, user):
        return cls.objects.filter(user=user).values_list("mailing", flat=True).first() or Mailing.NEVER


class PageChange(models.Model):
    """A published revision of a page, as the followers' digests list it."""

    page = models.ForeignKey(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision"),
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    minor = models.BooleanField(
        _("minor change"), default=False, help_text=_("Followers get no mail about it.")
    )
    note = models.CharField(_("change note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("page change")
        verbose_name_plural = _("page changes")
        indexes = [models.Index(fields=["page", "published_at"])]

    def __str__(self):
        return f"{self.page} ({self.published_at:%d-%m-%Y %H:%M})"


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being built")
    PENDING = "pending", _("Ready to send")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Refused by the mail server")


class Digest(models.Model):
    """One digest per user and period: claimed, then built (its mail into the outbox),
    then sent. The unique constraint makes a period's digest exist once whatever
    retries happen.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extranet_digests",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=[(Mailing.DAILY, Mailing.DAILY.label), (Mailing.WEEKLY, Mailing.WEEKLY.label)],
    )
    period = models.DateField(_("period"))
    window_start = models.DateTimeField(_("changes from"), null=True)
    window_end = models.DateTimeField(_("changes until"))
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.CLAIMED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    built_at = models.DateTimeField(_("built at"), null=True)
    sent_at = models.DateTimeField(_("sent at"), null=True)

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
    recipient = models.EmailField(_("recipient"))
    message_id = models.CharField(_("Message-ID"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    unsubscribe_url = models.URLField(_("unsubscribe link"), max_length=500)
    # What the mail was built under: the restriction tree's version and the user's
    # profiles. A sender that finds either changed builds the mail again (SPEC §9).
    access_key = models.CharField(_("built with access"), max_length=500, blank=True)
    send_started_at = models.DateTimeField(_("sending started at"), null=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("mail in the outbox")
        verbose_name_plural = _("mails in the outbox")

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
