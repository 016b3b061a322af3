from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexUpdate(models.Model):
    """A page whose search document must be brought up to date.

    Written in the editor's transaction and removed only once Elasticsearch has taken
    the update, so nothing is lost while Elasticsearch is down.
    """

    page_id = models.PositiveIntegerField(_("page ID"))
    path = models.CharField(_("tree path"), max_length=255)
    subtree = models.BooleanField(_("with the pages below it"), default=False)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("search document to update")
        verbose_name_plural = _("search documents to update")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.page_id} ({self.path})"
