from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexUpdate(models.Model):
    """A page whose search document must be brought up to date.

    Written in the editor's transaction and removed only once Elasticsearch has taken
    the update, so nothing is lost while Elasticsearch is down.
    """

    page_id = models.PositiveIntegerField(_("pagina-id"))
    path = models.CharField(_("boompad"), max_length=255)
    subtree = models.BooleanField(_("met onderliggende pagina's"), default=False)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("bij te werken zoekdocument")
        verbose_name_plural = _("bij te werken zoekdocumenten")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.page_id} ({self.path})"
