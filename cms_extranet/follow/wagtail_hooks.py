from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from ..modeladmin import InspectView
from ..wagtail_hooks import ReadOnlyPermissionHelper
from .models import Digest, Follow, PageChange
from .panels import MINOR_FIELD, NOTE_FIELD, NOTE_MAX_LENGTH
from .views import DigestPreviewView


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def apply_change_note(request, page):
    """Store the ChangeNotePanel's choice on the change this publish recorded."""
    if "action-publish" not in request.POST or page.live_revision_id is None:
        return
    PageChange.objects.filter(revision_id=page.live_revision_id).update(
        minor=request.POST.get(MINOR_FIELD) == "1",
        note=request.POST.get(NOTE_FIELD, "").strip()[:NOTE_MAX_LENGTH],
    )


class FollowViewSet(SnippetViewSet):
    """Who follows what: the agency reads it; follows are the users' own to change."""

    model = Follow
    icon = "view"
    menu_label = _("Followed pages")
    list_display = ["user", "page", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "user__email"]
    inspect_view_enabled = True


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


register_permission_policy(Follow, ViewOnlyPermissionPolicy(Follow))
register_snippet(FollowViewSet)


@modeladmin_register
class DigestAdmin(ModelAdmin):
    model = Digest
    menu_label = _("Digests")
    menu_icon = "mail"
    menu_order = 260
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = InspectView
    index_template_name = "extranet_follow/admin/digest_index.html"
    list_display = ("user", "frequency", "period", "status", "reason", "sent_at")
    list_filter = ("status", "frequency", "period")
    search_fields = ("user__username", "user__email", "mail__recipient")
    inspect_view_fields = (
        "user", "frequency", "period", "window_start", "window_end", "status", "reason",
        "claimed_at", "built_at", "sent_at",
    )


@hooks.register("register_admin_urls")
def register_preview_url():
    return [
        path(
            "extranet-digests/voorbeeld/",
            DigestPreviewView.as_view(),
            name="extranet_follow_digest_preview",
        )
    ]


class DigestPreviewMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("extranet_follow.view_digest")


@hooks.register("register_settings_menu_item")
def register_preview_menu_item():
    return DigestPreviewMenuItem(
        _("Digest preview"),
        reverse("extranet_follow_digest_preview"),
        icon_name="mail",
        order=900,
    )
