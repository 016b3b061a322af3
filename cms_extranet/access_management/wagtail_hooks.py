from datetime import timedelta

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.db.models import Case, Value, When
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import ButtonHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from ..modeladmin import InspectView
from ..wagtail_hooks import ReadOnlyPermissionHelper
from . import actions
from .actions import display_name
from .models import AccessRequest, AuditRecord, FormStatus, RequestStatus, TermsForm
from .views import AccessRequestDecisionView, RecordTermsFormView, TermsFormDecisionView


class AgeFilter(SimpleListFilter):
    title = _("age")
    parameter_name = "leeftijd"
    date_field = "requested_at"
    ranges = {
        "vandaag": (_("From today"), 0, 1),
        "week": (_("1 to 7 days old"), 1, 7),
        "ouder": (_("Older than 7 days"), 7, None),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _start, _end) in self.ranges.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.ranges:
            return queryset
        _label, younger, older = self.ranges[self.value()]
        now = timezone.now()
        queryset = queryset.filter(**{f"{self.date_field}__lte": now - timedelta(days=younger)})
        if older is not None:
            queryset = queryset.filter(**{f"{self.date_field}__gt": now - timedelta(days=older)})
        return queryset


class FormAgeFilter(AgeFilter):
    date_field = "submitted_at"


class DecisionButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if self.permission_helper.user_can_decide(self.request.user, obj):
            buttons.insert(0, {
                "url": self.url_helper.get_action_url("decide", obj.pk),
                "label": _("Decide"),
                "classname": "button button-small button-primary",
                "title": _("Approve or reject"),
            })
        return buttons


class DecisionModelAdmin(ModelAdmin):
    """Listed and inspected; changed only through a decision with a reason."""

    button_helper_class = DecisionButtonHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    decision_view_class = None

    def decision_view(self, request, instance_pk):
        return self.decision_view_class.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def get_admin_urls_for_registration(self):
        return super().get_admin_urls_for_registration() + (
            re_path(
                self.url_helper.get_action_url_pattern("decide"),
                self.decision_view,
                name=self.url_helper.get_action_url_name("decide"),
            ),
        )


class AccessRequestPermissionHelper(ReadOnlyPermissionHelper):
    def user_can_decide(self, user, obj):
        return actions.can_decide(user, obj)


class AccessRequestAdmin(DecisionModelAdmin):
    model = AccessRequest
    menu_label = _("Requests")
    menu_icon = "tick-inverse"
    permission_helper_class = AccessRequestPermissionHelper
    decision_view_class = AccessRequestDecisionView
    list_display = ("account", "vestiging", "profile", "status", "requested_at", "requester")
    list_filter = (
        "status", AgeFilter, "account__vestiging__organisation", "account__vestiging", "profile",
    )
    search_fields = ("account__user__username", "account__user__last_name", "account__user__email")
    list_select_related = ("account__user", "account__vestiging__organisation", "profile", "requested_by")
    ordering = ("-pending", "-requested_at")

    def get_queryset(self, request):
        """Pending requests first: those are the officer's work."""
        return AccessRequest.objects.annotate(
            pending=Case(When(status=RequestStatus.PENDING, then=Value(1)), default=Value(0))
        ).order_by(*self.ordering)

    @admin.display(description=pgettext_lazy("access request", "requested by"))
    def requester(self, obj):
        return display_name(obj.requested_by)

    inspect_view_fields = (
        "account", "profile", "status", "requested_by", "requested_at", "decided_by", "decided_at", "reason",
    )


class TermsFormPermissionHelper(ReadOnlyPermissionHelper):
    def user_can_create(self, user):
        return user.has_perm("extranet_access.add_termsform")

    def user_can_decide(self, user, obj):
        return obj.status == FormStatus.PENDING and user.has_perm("extranet_access.review_termsform")


class TermsFormAdmin(DecisionModelAdmin):
    model = TermsForm
    menu_label = _("Terms of use forms")
    menu_icon = "doc-full"
    permission_helper_class = TermsFormPermissionHelper
    decision_view_class = TermsFormDecisionView
    create_view_class = RecordTermsFormView
    form_fields_exclude = ("source", "submitted_by", "submitted_at", "status", "decided_by", "decided_at", "reason")
    list_display = ("account", "source", "status", "submitted_at", "submitted_by")
    list_filter = ("status", "source", FormAgeFilter, "account__vestiging__organisation", "account__vestiging")
    search_fields = ("account__user__username", "account__user__last_name")
    list_select_related = ("account__user", "submitted_by")
    inspect_view_fields = (
        "account", "source", "status", "submitted_by", "submitted_at", "decided_by", "decided_at", "reason",
    )


class AuditRecordAdmin(ModelAdmin):
    model = AuditRecord
    menu_label = _("Audit trail")
    menu_icon = "history"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("at", "actor_name", "action", "subject", "vestiging", "profile", "reason")
    list_filter = ("action", "at", "vestiging__organisation", "vestiging", "profile")
    search_fields = ("actor_name", "subject", "reason")
    list_select_related = ("vestiging__organisation", "profile")


@modeladmin_register
class AccessManagementGroup(ModelAdminGroup):
    menu_label = _("Access management")
    menu_icon = "key"
    menu_order = 255
    items = (AccessRequestAdmin, TermsFormAdmin, AuditRecordAdmin)


class DecisionsPanel(Component):
    """The access officer's work on the admin's dashboard: the requests and the terms of use
    forms that wait for a decision (the oldest first; at most 20 of each)."""

    name = "extranet_decisions"
    order = 50
    template_name = "extranet_access/admin/decisions_panel.html"

    def __init__(self, requests, forms):
        self.requests, self.forms = requests, forms

    def get_context_data(self, parent_context):
        return {"requests": self.requests, "forms": self.forms}


@hooks.register("construct_homepage_panels")
def add_decisions_panel(request, panels):
    user = request.user
    requests = forms = None
    if user.has_perm("extranet_access.decide_accessrequest"):
        requests = list(
            AccessRequest.objects.filter(status=RequestStatus.PENDING)
            .exclude(requested_by=user)
            .select_related("account__user", "account__vestiging__organisation", "profile")
            .order_by("requested_at")[:20]
        )
    if user.has_perm("extranet_access.review_termsform"):
        forms = list(
            TermsForm.objects.filter(status=FormStatus.PENDING).select_related("account__user").order_by("submitted_at")[:20]
        )
    if requests is not None or forms is not None:
        panels.append(DecisionsPanel(requests, forms))
