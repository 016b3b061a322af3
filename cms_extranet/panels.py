import swapper
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class RestrictionPanel(MultiFieldPanel):
    """The restriction fields, with the effective restriction and where it comes from."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "children",
            [
                FieldPanel("restriction", widget=forms.RadioSelect),
                FieldPanel("restriction_profiles", widget=forms.CheckboxSelectMultiple),
            ],
        )
        kwargs.setdefault("heading", _("Toegang"))
        super().__init__(*args, **kwargs)

    class BoundPanel(MultiFieldPanel.BoundPanel):
        template_name = "cms_extranet/panels/restriction_panel.html"

        def _reference_page(self):
            """The published page whose effective restriction we describe."""
            Page = swapper.load_model("wagtailcore", "Page")
            if self.instance.pk:
                return Page.objects.filter(pk=self.instance.pk).first()
            match = getattr(self.request, "resolver_match", None)
            parent_id = match.kwargs.get("parent_page_id") if match else None
            return Page.objects.filter(pk=parent_id).first() if parent_id else None

        def get_context_data(self, parent_context=None):
            from .access import RestrictionTree
            from .models import Profile

            context = super().get_context_data(parent_context)
            Page = swapper.load_model("wagtailcore", "Page")
            page = self._reference_page()
            effective = RestrictionTree.current().effective(page.path if page else "")
            context.update(
                {
                    "effective": effective,
                    "effective_profiles": Profile.objects.filter(code__in=effective.profiles),
                    "source_page": Page.objects.filter(pk=effective.source_page_id).first()
                    if effective.source_page_id
                    else None,
                    "is_own": bool(page and self.instance.pk and effective.source_page_id == page.pk),
                }
            )
            return context
