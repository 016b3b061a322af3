from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityLink(models.Model):
    """The user's identity at the provider: its issuer and subject identifier, which never
    change, unlike a username or an e-mail address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="identity_link"
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject identifier"), max_length=255)
    linked_at = models.DateTimeField(_("linked on"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_provider_identity")]
        verbose_name = _("identity at the provider")
        verbose_name_plural = _("identities at the provider")

    def __str__(self):
        return f"{self.subject} ({self.issuer})"


class ProviderSession(models.Model):
    """A session that began with a login at the provider, and the provider's session id
    (``sid``): what the provider's back-channel logout names."""

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    sid = models.CharField(_("session at the provider"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("logged in on"), auto_now_add=True)

    class Meta:
        verbose_name = _("session begun at the provider")
        verbose_name_plural = _("sessions begun at the provider")
