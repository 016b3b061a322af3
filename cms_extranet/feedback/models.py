import swapper
from django.conf import settings
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")

MESSAGE_MAX_LENGTH = 5000
PATH_MAX_LENGTH = 500


class Feedback(models.Model):
    page = models.ForeignKey(
        PAGE_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page"),
    )
    path = models.CharField(
        _("path"),
        max_length=PATH_MAX_LENGTH,
        blank=True,
        help_text=_("The address on the site that the feedback came from."),
    )
    message = models.TextField(_("message"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged-in user"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    handled = models.BooleanField(_("handled"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    # An HMAC of the client's IP address (never the address itself), for the rate limit.
    client_key = models.CharField(_("client key"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client_key", "created_at"])]

    def __str__(self):
        return self.excerpt(60)

    def excerpt(self, length):
        return Truncator(" ".join(self.message.split())).chars(length)

    @property
    def page_label(self):
        if self.page is not None:
            return self.page.title
        return self.path
