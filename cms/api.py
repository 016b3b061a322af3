"""The site's headless API at /api/v2/: pages and documents as the requesting user may
read them, pages searched through the site's own search, and an editor's preview of a draft."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.models import Page
from wagtail_headless_preview.models import PagePreview

from cms.pages.models import FrontEndPreviewMixin
from cms_extranet.api import (
    BAD_REQUEST,
    ErrorSerializer,
    PageDetailSchemaSerializer,
    ReadableDocumentsAPIViewSet,
    ReadablePagesAPIViewSet,
    WagtailErrorSerializer,
)
from search.api import TrimmedSearchFilter


class PagesAPIViewSet(ReadablePagesAPIViewSet):
    filter_backends = [
        TrimmedSearchFilter if backend is SearchFilter else backend
        for backend in ReadablePagesAPIViewSet.filter_backends
    ]


PREVIEW_EDITORS_ONLY = _("Only an editor who may edit this page sees its preview.")
PREVIEW_NOT_FOUND = _("There is no such preview, or it has expired: preview the page again.")


class PagePreviewAPIViewSet(PagesAPIViewSet):
    """The draft an editor previews in the admin, for the front end's preview page
    (wagtail-headless-preview's ``content_type`` and ``token``), as the pages endpoint
    gives a page.

    The token alone is worth nothing: it travels in the front end's address (history, logs,
    a Referer), so the draft goes only to the session of an editor who may edit or publish
    the page (or add a page under its parent, for a page not yet created), as Wagtail's own
    preview. Anyone else gets 403 before any token is looked at; an editor, 404 for a token
    that is wrong, expired (``HEADLESS_PREVIEW_TOKEN_MAX_AGE``) or of a page they may not edit.
    """

    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["content_type", "token"])

    @classmethod
    def get_urlpatterns(cls):
        return [path("", cls.as_view({"get": "preview_view"}), name="preview")]

    def get_object(self):
        if not hasattr(self, "_cached_object"):
            self._cached_object = self.find_preview(self.request)
        return self._cached_object

    def find_preview(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.has_perm("wagtailadmin.access_admin")):
            raise exceptions.PermissionDenied(PREVIEW_EDITORS_ONLY)
        try:
            app_label, model = request.GET["content_type"].split(".")
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
            token = request.GET["token"]
            identifier = FrontEndPreviewMixin.get_preview_signer().unsign(
                token, max_age=settings.HEADLESS_PREVIEW_TOKEN_MAX_AGE
            )
            preview = PagePreview.objects.get(content_type=content_type, token=token)
            fields = dict(part.split("=", 1) for part in identifier.split(";"))
            if "id" in fields:
                page = Page.objects.get(pk=int(fields["id"]))
                permissions = page.permissions_for_user(user)
                allowed = permissions.can_edit() or permissions.can_publish()  # as "View draft"
            else:
                page = Page.objects.get(pk=int(fields["parent_id"]))
                allowed = page.permissions_for_user(user).can_add_subpage()
            draft = preview.as_page()
        except (KeyError, ValueError, BadSignature, ContentType.DoesNotExist, PagePreview.DoesNotExist,
                Page.DoesNotExist) as error:
            raise Http404(PREVIEW_NOT_FOUND) from error
        if not allowed or draft.pk != (int(fields["id"]) if "id" in fields else None):
            raise Http404(PREVIEW_NOT_FOUND)
        if draft.pk is None:
            draft.pk = 0  # a page not yet created: its detail URL needs a number
        return draft

    @extend_schema(
        operation_id="page_preview",
        parameters=[
            OpenApiParameter("content_type", str, required=True, description="From the preview address: app_label.model."),
            OpenApiParameter("token", str, required=True, description="From the preview address."),
            OpenApiParameter("fields", str, description="As for a page."),
        ],
        responses={
            200: PageDetailSchemaSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(ErrorSerializer, description="Not an editor in the Wagtail admin."),
            404: OpenApiResponse(
                WagtailErrorSerializer, description="No such preview, expired, or a page the editor may not edit."
            ),
        },
    )
    def preview_view(self, request):
        """An editor's preview of a draft: the page as the pages endpoint answers it."""
        self.action = "detail_view"
        return Response(self.get_serializer(self.get_object()).data)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
# Documents are not in the site's search index: Wagtail's search, over readable documents.
api_router.register_endpoint("documents", ReadableDocumentsAPIViewSet)
# After "pages": a page's detail URL stays the pages endpoint's.
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)


def api_endpoints_only(endpoints, **kwargs):
    """drf-spectacular's preprocessing hook: the schema documents /api/v2/, not the admin's API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v2/")]
