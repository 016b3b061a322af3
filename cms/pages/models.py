from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_headless_preview.settings import headless_preview_settings

from cms_extranet.access import readable_pages
from cms_extranet.follow.panels import ChangeNotePanel
from cms_extranet.models import RestrictedPageMixin
from cms_extranet.panels import RestrictionSummaryPanel


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    label = blocks.CharBlock(label=_("link text"), required=False)

    class Meta:
        icon = "doc-full"
        template = "pages/blocks/document_link.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("subheading"), icon="title", template="pages/blocks/heading.html")
    paragraph = blocks.RichTextBlock(label=_("text"))
    document = DocumentLinkBlock(label=_("document"))


class FrontEndPreviewMixin(HeadlessPreviewMixin):
    """The admin's preview of a page opens the front end's preview page when the site has
    one (``FRONTEND_PREVIEW_URL``), with a token for /api/v2/page_preview/; without a front
    end, Wagtail's own preview."""

    def serve_preview(self, request, preview_mode):
        if "default" not in headless_preview_settings.CLIENT_URLS:
            return super(HeadlessPreviewMixin, self).serve_preview(request, preview_mode)
        return super().serve_preview(request, preview_mode)


class BasePage(FrontEndPreviewMixin, RestrictedPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)

    content_panels = [RestrictionSummaryPanel(), *Page.content_panels] + [
        FieldPanel("intro"),
        FieldPanel("body"),
        ChangeNotePanel(),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro"), APIField("body")]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subpages"] = readable_pages(request.user, list(self.get_children().live()))
        # A public page can sit inside a secured section: never name that section.
        context["breadcrumbs"] = readable_pages(request.user, self.get_ancestors_below_root())
        return context


class HomePage(BasePage):
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class ContentPage(BasePage):
    class Meta:
        verbose_name = _("content page")
