from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_q.models import Failure, Schedule
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import CreateView, EditView

from .access import can_read_document, document_restriction
from .modeladmin import InspectView
from .models import (
    ApplicationRight,
    AppLink,
    DocumentRestriction,
    Organisation,
    PartnerAccount,
    Profile,
    ProfileGrant,
    UserRight,
    Vestiging,
)
from .rich_text import ReadableDocumentLinkHandler, ReadablePageLinkHandler
from .signals import partner_account_changed
from .views import (
    PreviewAsFrameView,
    PreviewAsView,
    denial_response,
    enforce,
    page_denial,
)


@hooks.register("before_serve_page")
def enforce_page_restriction(page, request, serve_args, serve_kwargs):
    return denial_response(request, page_denial(request, page))


@hooks.register("before_serve_document")
def enforce_document_restriction(document, request):
    return enforce(
        request, document_restriction(document), can_read_document(request.user, document)
    )


@hooks.register("register_rich_text_features", order=1)  # after Wagtail's own handlers
def register_readable_link_types(features):
    features.register_link_type(ReadablePageLinkHandler)
    features.register_link_type(ReadableDocumentLinkHandler)


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("cms_extranet/admin.css"))


@hooks.register("construct_page_chooser_queryset")
def choose_only_explorable_pages(pages, request):
    """The chooser lists every page to any admin user; an access officer, who holds no
    page permission, must not learn secured pages' titles and addresses from it."""
    return pages.filter(pk__in=PagePermissionPolicy().explorable_instances(request.user).values("pk"))


register_snippet(AppLink)
register_snippet(DocumentRestriction)


class ReadOnlyPermissionHelper(PermissionHelper):
    """Records of what happened or what the code set up: listed and inspected, never
    changed in the admin."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


@modeladmin_register
class ScheduleAdmin(ModelAdmin):
    """The django-q2 schedules the apps create (search index, digests)."""

    model = Schedule
    menu_label = pgettext_lazy("admin menu", "Scheduled tasks")
    menu_icon = "time"
    menu_order = 270
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("name", "func", "schedule_type", "cron", "minutes", "next_run")


@modeladmin_register
class FailureAdmin(ModelAdmin):
    """django-q2's failed tasks (a mail the server kept refusing, a crashed job): the agency
    sees what did not happen."""

    model = Failure
    menu_label = pgettext_lazy("admin menu", "Failed tasks")
    menu_icon = "warning"
    menu_order = 271
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("name", "func", "started", "stopped", "attempt_count")
    inspect_view_fields = ("name", "func", "args", "kwargs", "started", "stopped", "result", "attempt_count")


class ProfileAdmin(ModelAdmin):
    model = Profile
    menu_icon = "key"
    list_display = ("name", "code", "requestable", "needs_approval", "request_condition")


class ApplicationRightAdmin(ModelAdmin):
    model = ApplicationRight
    menu_icon = "tick-inverse"
    list_display = ("name", "code", "profile", "requires_mlp_training")


class OrganisationAdmin(ModelAdmin):
    model = Organisation
    menu_icon = "group"
    list_display = (
        "name",
        "registers_in_mlp",
        "is_uitbetalingsinstelling",
        "registers_career_cheques",
    )
    search_fields = ("name",)


class VestigingAdmin(ModelAdmin):
    model = Vestiging
    menu_icon = "site"
    list_display = ("name", "organisation", "uitbetaling_access")
    list_filter = ("organisation",)
    search_fields = ("name", "organisation__name")


class AccountChangeMixin:
    """Tells ``partner_account_changed`` what the agency changed: the vestiging, the
    administrator, auditor and training flags decide which profiles a user holds."""

    def form_valid(self, form):
        pk = getattr(self, "instance", None) and self.instance.pk
        before = PartnerAccount.objects.filter(pk=pk).select_related("vestiging").first() if pk else PartnerAccount()
        response = super().form_valid(form)
        changes = {
            str(form.fields[name].label): (_display(before, name), _display(form.instance, name))
            for name in form.changed_data
        }
        if changes:
            partner_account_changed.send(
                PartnerAccount, request=self.request, account=form.instance, changes=changes
            )
        return response


class PartnerAccountCreateView(AccountChangeMixin, CreateView):
    pass


class PartnerAccountEditView(AccountChangeMixin, EditView):
    pass


def _display(account, name):
    value = getattr(account, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


class PartnerAccountAdmin(ModelAdmin):
    model = PartnerAccount
    create_view_class = PartnerAccountCreateView
    edit_view_class = PartnerAccountEditView
    menu_icon = "user"
    list_display = ("user", "vestiging", "is_administrator", "is_auditor", "mlp_training_followed")
    list_filter = ("is_administrator", "is_auditor", "vestiging__organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    form_fields_exclude = ("rights",)


class UserRightAdmin(ModelAdmin):
    model = UserRight
    menu_label = _("Application rights of users")
    menu_icon = "list-ul"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("account", "right", "granted_at")
    list_filter = ("right",)
    search_fields = ("account__user__username",)


class ProfileGrantAdmin(ModelAdmin):
    model = ProfileGrant
    menu_icon = "success"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_display = ("account", "profile", "approved_at", "approved_by")
    list_filter = ("profile",)
    search_fields = ("account__user__username",)


@modeladmin_register
class ExtranetAdminGroup(ModelAdminGroup):
    menu_label = _("Extranet")
    menu_icon = "lock"
    menu_order = 250
    items = (
        ProfileAdmin,
        ApplicationRightAdmin,
        OrganisationAdmin,
        VestigingAdmin,
        PartnerAccountAdmin,
        UserRightAdmin,
        ProfileGrantAdmin,
    )


@hooks.register("register_admin_urls")
def preview_as_urls():
    return [
        path("extranet/bekijk-als/<int:page_id>/", PreviewAsView.as_view(), name="extranet_preview_as"),
        path("extranet/bekijk-als/<int:page_id>/pagina/", PreviewAsFrameView.as_view(), name="extranet_preview_as_frame"),
    ]


class PreviewAsButton(PageMenuItem):
    label = _("View as")
    icon_name = "view"
    url_name = "extranet_preview_as"
    priority = 45

    def is_shown(self, user):
        return self.page.depth > 1 and self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def preview_as_header_button(page, user, view_name, next_url=None):
    yield PreviewAsButton(page=page)


@hooks.register("register_page_listing_more_buttons")
def preview_as_listing_button(page, user, next_url=None):
    yield PreviewAsButton(page=page)
