import datetime
from collections import OrderedDict

import swapper
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import lookup_field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Site
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register
from wagtail_modeladmin.views import EditView, IndexView

from ..modeladmin import InspectView
from .models import Feedback

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A typed text that a spreadsheet would run as a formula is exported as text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class SectionFilter(SimpleListFilter):
    title = _("section")
    parameter_name = "rubriek"

    def sections(self, request):
        site = Site.find_for_request(request)
        return site.root_page.get_children() if site else []

    def lookups(self, request, model_admin):
        return [(str(section.pk), section.title) for section in self.sections(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        Page = swapper.load_model("wagtailcore", "Page")
        section = Page.objects.filter(pk=self.value()).first() if self.value().isdigit() else None
        if section is None:
            return queryset.none()
        return queryset.filter(page__path__startswith=section.path)


class FeedbackPermissionHelper(PermissionHelper):
    """Submissions come from the site only and are kept: editors read them and set
    whether they are handled."""

    def user_can_create(self, user):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class FeedbackButtonHelper(ButtonHelper):
    def edit_button(self, pk, classnames_add=None, classnames_exclude=None):
        button = super().edit_button(pk, classnames_add, classnames_exclude)
        button.update(label=_("Handling"), title=_("Handled or not handled"))
        return button


class FeedbackIndexView(IndexView):
    export_headings = {
        "created_at": _("Received at"),
        "page_title": _("Page"),
        "path": _("Address"),
        "name": _("Name"),
        "email": _("Email address"),
        "username": _("Logged in as"),
        "message": _("Message"),
        "status": _("Status"),
        "handled_by": _("Handled by"),
        "handled_at": _("Handled at"),
    }
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime.datetime: {
            **IndexView.custom_value_preprocess[datetime.datetime],
            IndexView.FORMAT_CSV: lambda value: timezone.localtime(value).strftime("%Y-%m-%d %H:%M"),
        },
        str: {IndexView.FORMAT_CSV: spreadsheet_safe},  # XLSX cells are typed as text already
    }


    def to_row_dict(self, item):
        """Empty cells stay empty (modeladmin writes its "-")."""
        return OrderedDict(
            (field, lookup_field(field, item, self.model_admin)[2]) for field in self.list_export
        )


class HandleView(EditView):
    """Only whether the submission is handled; who and when are recorded with it."""

    def form_valid(self, form):
        feedback = form.instance
        if "handled" in form.changed_data:
            feedback.handled_by = self.request.user if feedback.handled else None
            feedback.handled_at = timezone.now() if feedback.handled else None
        return super().form_valid(form)

    def get_success_message(self, instance):
        if instance.handled:
            return _("The feedback has been marked as handled.")
        return _("The feedback has been marked as not handled.")


@modeladmin_register
class FeedbackAdmin(ModelAdmin):
    model = Feedback
    menu_label = _("Feedback")
    menu_icon = "comment"
    menu_order = 265
    permission_helper_class = FeedbackPermissionHelper
    button_helper_class = FeedbackButtonHelper
    index_view_class = FeedbackIndexView
    edit_view_class = HandleView
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("excerpt", "page_display", "created_at", "status", "sender")
    list_filter = ("handled", "created_at", SectionFilter)
    search_fields = ("message", "name", "email")
    list_select_related = ("page", "user", "handled_by")
    list_export = (
        "created_at", "page_title", "path", "name", "email", "username", "message", "status",
        "handled_by", "handled_at",
    )
    export_filename = "feedback"
    inspect_view_fields = (
        "created_at", "page", "path", "message", "name", "email", "user", "handled",
        "handled_by", "handled_at",
    )
    panels = [
        FieldPanel("message", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("path", read_only=True),
        FieldPanel("handled"),
    ]

    @admin.display(description=_("message"))
    def excerpt(self, obj):
        return obj.excerpt(80)

    @admin.display(description=_("page"))
    def page_display(self, obj):
        return obj.page_label or "–"

    @admin.display(description=_("page"))
    def page_title(self, obj):
        return obj.page.title if obj.page is not None else ""

    @admin.display(description=_("status"))
    def status(self, obj):
        return _("Handled") if obj.handled else _("Open")

    @admin.display(description=_("sender"))
    def sender(self, obj):
        return " · ".join(part for part in (obj.name, obj.email) if part) or "–"

    @admin.display(description=_("logged in as"))
    def username(self, obj):
        return obj.user.get_username() if obj.user is not None else ""
