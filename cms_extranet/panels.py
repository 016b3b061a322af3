import swapper
from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel


class RestrictionPanel(MultiFieldPanel):
    """The restriction fields, with the effective restriction and where it comes from."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "children",
            [
                FieldPanel("restriction", widget=forms.RadioSelect),
                # Shown only while "Secured" is chosen, by Wagtail's own w-rules controller (as
                # in its privacy dialog); without JavaScript it stays, and counts only for "Secured".
                FieldPanel(
                    "restriction_profiles",
                    widget=forms.CheckboxSelectMultiple,
                    attrs={"data-w-rules-target": "show", "data-w-rules": '{"restriction": ["profiles"]}'},
                ),
            ],
        )
        kwargs.setdefault("heading", _("Access"))
        super().__init__(*args, **kwargs)

    class BoundPanel(MultiFieldPanel.BoundPanel):
        template_name = "cms_extranet/panels/restriction_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance if self.instance.pk else None
            context.update(restriction_summary(page, self.request, readers=True))
            return context


class RestrictionSummaryPanel(Panel):
    """The page's effective restriction, where editors look first (the content tab); it is
    changed in the Access panel of the settings tab."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms_extranet/panels/restriction_summary.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance if self.instance.pk else None
            context.update(restriction_summary(page, self.request, readers=True))
            return context


def restriction_summary(page, request=None, with_source=True, readers=False):
    """What editors are told of a page's restriction, everywhere the admin shows it: the
    effective restriction as it is published, its profiles, whether a Wagtail privacy
    setting applies too, (``with_source``, a query) the page it comes from and (``readers``,
    a query per request) how many users may read it now. A page not yet created (``page``
    None) takes its parent's, from the admin's create URL."""
    from .access import RestrictionTree, effective_restriction

    Page = swapper.load_model("wagtailcore", "Page")
    tree = RestrictionTree.current()
    is_new = page is None
    if is_new:
        match = getattr(request, "resolver_match", None)
        parent_id = match.kwargs.get("parent_page_id") if match else None
        page = Page.objects.filter(pk=parent_id).first() if parent_id else None
    effective = effective_restriction(page) if page else tree.effective("")
    names = _profile_names(request)
    profiles = sorted(names.get(code, code) for code in effective.profiles)
    wagtail_privacy = bool(page) and any(page.path.startswith(v.path) for v in tree.view_restrictions)
    if effective.is_public:
        title = pgettext_lazy("restriction", "Public")
    else:
        title = _("Secured: %(profiles)s") % {"profiles": ", ".join(profiles) or _("nobody")}
    summary = {
        "effective": effective,
        "effective_profiles": profiles,
        "is_public": effective.is_public and not wagtail_privacy,
        "title": title,
        "wagtail_privacy": wagtail_privacy,
    }
    if readers and not summary["is_public"]:
        from .access import holders_count

        counted = getattr(request, "_extranet_readers", {})
        if effective.profiles not in counted:
            counted[effective.profiles] = holders_count(effective.profiles)
            if request is not None:
                request._extranet_readers = counted
        summary["readers"] = counted[effective.profiles]
    if with_source:
        source_page = effective.source_page_id and Page.objects.filter(pk=effective.source_page_id).first()
        summary["source_page"] = source_page
        summary["is_own"] = bool(source_page and not is_new and source_page.pk == page.pk)
        summary["source_text"] = render_to_string("cms_extranet/panels/_restriction_source.html", summary)
    return summary


def _profile_names(request):
    """{code: name} of the profiles, once per request."""
    from .models import Profile

    names = getattr(request, "_extranet_profile_names", None)
    if names is None:
        names = dict(Profile.objects.values_list("code", "name"))
        if request is not None:
            request._extranet_profile_names = names
    return names
