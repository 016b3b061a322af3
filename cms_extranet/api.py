"""Wagtail's API v2 for the extranet: only what the requesting user may read.

Pages go through ``readable_pages`` as the viewset's base queryset, which Wagtail also
uses for the tree filters (``child_of``, ``ancestor_of``, ``descendant_of``) and for the
``parent`` of a page: a page the user may not read is, to the API, a page that does not
exist. Documents go through ``readable_documents``.
"""

import swapper
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.api.v2.serializers import PageAliasOfField, PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.models import Site

from .access import partner_account, readable_documents, readable_pages, user_profiles
from .forms import LoginForm
from .links import app_links
from .models import ExtranetSettings, Profile
from .views import LOGIN_REQUIRED, NO_ACCESS_ADVICE, NO_ACCESS_EXPLANATION, NO_ACCESS_TITLE, page_denial


class PrivateAnswersMixin:
    """What a logged-in user gets may hold restricted content: keep it out of shared caches."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            request._request.extranet_private = True


class SaneParametersMixin:
    """A query value the database cannot take (control characters, a value of the wrong
    type or past the integer range) is a bad request, not a server error."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        values = [*request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1]), *map(str, kwargs.values())]
        if any(not value.isprintable() for value in values):
            raise BadRequestError(_("Invalid characters in the query."))
        if any(int(v) > 2**31 - 1 for v in request.GET.getlist("offset") if v.isascii() and v.isdigit()):
            raise BadRequestError(_("Invalid value in the query."))

    def handle_exception(self, exc):
        if isinstance(exc, (ValidationError, ValueError, OverflowError, RecursionError)):
            exc = BadRequestError(_("Invalid value in the query."))
        return super().handle_exception(exc)


class ReadableAliasOfField(PageAliasOfField):
    """The page an alias copies, only when the user may read it (as Wagtail does for
    ``parent``): an alias in a public place must not point into a secured section."""

    def get_attribute(self, instance):
        original = instance.alias_of
        if original is not None and self.context["base_queryset"].filter(pk=original.pk).exists():
            return original
        return None


class ReadablePageSerializer(PageSerializer):
    alias_of = ReadableAliasOfField(read_only=True)


CSRF_FAILED = _(
    "The security check failed (the CSRF token is missing or wrong). Reload the page and "
    "try again."
)
PAGE_NOT_FOUND = _("There is no page at this address.")


class ProfileSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RequiredProfileSerializer(ProfileSerializer):
    help_url = serializers.SerializerMethodField(
        help_text="The page that explains this profile and how to get it."
    )

    def get_help_url(self, profile) -> str | None:
        page = profile.help_page
        return page.get_full_url(self.context["request"]) if page else None


class AppLinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.URLField()


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class LoginRequiredSerializer(serializers.Serializer):
    detail = serializers.CharField()
    login_url = serializers.CharField(help_text="The site's login, leading back to the page.")


class NoAccessSerializer(serializers.Serializer):
    detail = serializers.CharField()
    explanation = serializers.CharField()
    advice = serializers.CharField()
    required_profiles = RequiredProfileSerializer(many=True, help_text="Any one of them gives access.")
    access_url = serializers.URLField(allow_null=True, help_text="How to get access to the extranet.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class WagtailMetaSerializer(serializers.Serializer):
    type = serializers.CharField()
    detail_url = serializers.URLField()


class PageMetaSerializer(WagtailMetaSerializer):
    html_url = serializers.URLField(allow_null=True)
    slug = serializers.CharField()
    first_published_at = serializers.DateTimeField(allow_null=True)


class PageDetailMetaSerializer(PageMetaSerializer):
    show_in_menus = serializers.BooleanField(required=False)
    seo_title = serializers.CharField(required=False)
    search_description = serializers.CharField(required=False)
    parent = serializers.DictField(allow_null=True, required=False, help_text="Only a page the user may read.")
    alias_of = serializers.DictField(allow_null=True, required=False, help_text="Only a page the user may read.")


class PageSchemaSerializer(serializers.Serializer):
    """A page as Wagtail's API v2 gives it; ``fields`` adds the page type's own fields."""

    id = serializers.IntegerField()
    meta = PageMetaSerializer()
    title = serializers.CharField()


class PageDetailSchemaSerializer(PageSchemaSerializer):
    meta = PageDetailMetaSerializer()


class FollowingMetaSerializer(PageDetailMetaSerializer):
    following = serializers.BooleanField(help_text="Whether the user follows the page.")


class PageByPathSchemaSerializer(PageSchemaSerializer):
    meta = FollowingMetaSerializer()


class TotalCountSerializer(serializers.Serializer):
    total_count = serializers.IntegerField()


class PageListingSchemaSerializer(serializers.Serializer):
    meta = TotalCountSerializer()
    items = PageSchemaSerializer(many=True)


class DocumentSchemaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meta = WagtailMetaSerializer()
    title = serializers.CharField()


class DocumentListingSchemaSerializer(serializers.Serializer):
    meta = TotalCountSerializer()
    items = DocumentSchemaSerializer(many=True)


class WagtailErrorSerializer(serializers.Serializer):
    message = serializers.CharField()


FORM_ERRORS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "Per field, its messages; the form's own under non_field_errors.",
}


def form_errors(form):
    """A Django form's errors as DRF gives a serializer's."""
    return {
        "non_field_errors" if name == "__all__" else name: [str(error) for error in errors]
        for name, errors in form.errors.items()
    }


def _query(name, kind=str, description=""):
    return OpenApiParameter(name, kind, description=description)


LISTING_PARAMETERS = [
    _query("fields", description="Fields to add (or remove with -), comma-separated; * for all."),
    _query("order", description="A field to order by (- for descending), or random."),
    _query("offset", int),
    _query("limit", int, "At most 100."),
    _query("search", description="The site's search: only pages the user may read."),
]
PAGE_PARAMETERS = [
    _query("type", description="A page type, app_label.ModelName."),
    _query("child_of", description="A page id, or root."),
    _query("ancestor_of", int),
    _query("descendant_of", int),
]
NOT_FOUND = OpenApiResponse(WagtailErrorSerializer, description="No such record the user may read.")
BAD_REQUEST = OpenApiResponse(WagtailErrorSerializer, description="A query value the API cannot take.")


PAGES_SCHEMA = dict(
    listing_view=extend_schema(
        operation_id="pages_list",
        parameters=LISTING_PARAMETERS + PAGE_PARAMETERS,
        responses={200: PageListingSchemaSerializer, 400: WagtailErrorSerializer},
    ),
    detail_view=extend_schema(
        operation_id="pages_detail",
        parameters=[_query("fields")],
        responses={200: PageDetailSchemaSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    find_view=extend_schema(
        operation_id="pages_find",
        parameters=[_query("html_path", description="The page's path on the site."), _query("id", int)],
        responses={
            302: OpenApiResponse(description="To the page's detail URL."), 400: BAD_REQUEST, 404: NOT_FOUND,
        },
    ),
    by_path_view=extend_schema(
        operation_id="pages_by_path",
        parameters=[
            OpenApiParameter("html_path", str, required=True, description="The page's path on the site."),
            _query("fields"),
        ],
        responses={
            200: PageByPathSchemaSerializer,
            400: BAD_REQUEST,
            401: OpenApiResponse(LoginRequiredSerializer, description="Log in to read this page."),
            403: OpenApiResponse(NoAccessSerializer, description="The user holds none of its profiles."),
            404: OpenApiResponse(ErrorSerializer, description="No page at this path."),
        },
    ),
)


class ReadablePagesAPIViewSet(SaneParametersMixin, PrivateAnswersMixin, PagesAPIViewSet):
    base_serializer_class = ReadablePageSerializer

    def initial(self, request, *args, **kwargs):
        # Wagtail keeps the site it finds on the request it is given. Found on Django's
        # request, DRF's wrapper sees it too, and the redirects middleware, which asks
        # Django's request on every 404, does not look it up a second time.
        Site.find_for_request(request._request)
        super().initial(request, *args, **kwargs)

    def get_base_queryset(self):
        # Wagtail asks for it up to four times a request (the listing, then child_of's or
        # descendant_of's parent, find): its queries and the trunk's run once per request.
        if not hasattr(self, "_readable_pages"):
            self._readable_pages = readable_pages(self.request.user, super().get_base_queryset())
        return self._readable_pages

    # Wagtail's views, declared for the OpenAPI schema (drf-spectacular cannot infer them).
    @PAGES_SCHEMA["listing_view"]
    def listing_view(self, request):
        return super().listing_view(request)

    @PAGES_SCHEMA["detail_view"]
    def detail_view(self, request, pk):
        return super().detail_view(request, pk)

    @PAGES_SCHEMA["find_view"]
    def find_view(self, request):
        return super().find_view(request)

    @classmethod
    def get_urlpatterns(cls):
        return [
            *super().get_urlpatterns(),
            path("by_path/", cls.as_view({"get": "by_path_view"}), name="by_path"),
        ]

    @PAGES_SCHEMA["by_path_view"]
    def by_path_view(self, request):
        """The page the site serves at ``html_path``, answered as the site answers it:
        the page (with ``meta.following``), 401 to log in, 403 without the profile, 404."""
        from .follow.models import is_following

        html_path = request.GET.get("html_path", "")
        Page = swapper.load_model("wagtailcore", "Page")
        route = Page.route_for_request(request._request, html_path) if html_path.startswith("/") else None
        if route is None:
            raise exceptions.NotFound(PAGE_NOT_FOUND)
        page = route[0]
        reason = page_denial(request._request, page, next_path=html_path)
        if reason is not None:
            return denial_answer(request, reason)
        self.action = "detail_view"
        self.kwargs["pk"] = page.pk
        response = self.detail_view(request, pk=page.pk)
        response.data["meta"]["following"] = is_following(request.user, page)
        return response


DOCUMENTS_SCHEMA = dict(
    listing_view=extend_schema(
        operation_id="documents_list",
        parameters=LISTING_PARAMETERS,
        responses={200: DocumentListingSchemaSerializer, 400: WagtailErrorSerializer},
    ),
    detail_view=extend_schema(
        operation_id="documents_detail",
        parameters=[_query("fields")],
        responses={200: DocumentSchemaSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    find_view=extend_schema(
        operation_id="documents_find",
        parameters=[_query("id", int)],
        responses={
            302: OpenApiResponse(description="To the document's detail URL."), 400: BAD_REQUEST, 404: NOT_FOUND,
        },
    ),
)


class ReadableDocumentsAPIViewSet(SaneParametersMixin, PrivateAnswersMixin, DocumentsAPIViewSet):
    def get_queryset(self):
        return readable_documents(self.request.user, super().get_queryset())

    @DOCUMENTS_SCHEMA["listing_view"]
    def listing_view(self, request):
        return super().listing_view(request)

    @DOCUMENTS_SCHEMA["detail_view"]
    def detail_view(self, request, pk):
        return super().detail_view(request, pk)

    @DOCUMENTS_SCHEMA["find_view"]
    def find_view(self, request):
        return super().find_view(request)


@csrf_exempt  # it changes nothing
def api_not_found(request, *args, error_key="message", **kwargs):
    """An address under the API that no endpoint takes (an id that is not a number, say):
    a JSON 404 in the style of the API around it (Wagtail's ``message``, the extranet's
    ``detail``), not the site's HTML page."""
    return JsonResponse({error_key: str(PAGE_NOT_FOUND)}, status=404)


# The extranet's own endpoints, beside Wagtail's: what a decoupled front end needs to do
# everything the rendered site does, through the site's own decisions.

class SessionCsrfAuthentication(SessionAuthentication):
    """The site's session. Every unsafe request needs the CSRF token, logged in or not,
    as the site's own forms do (DRF checks it only for logged-in users)."""

    def authenticate(self, request):
        if request.method not in SAFE_METHODS:
            self.enforce_csrf(request)
        user = getattr(request._request, "user", None)
        if user is None or not user.is_active:
            return None
        return (user, None)

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise exceptions.PermissionDenied(CSRF_FAILED) from error


class SessionCsrfScheme(SessionScheme):
    target_class = SessionCsrfAuthentication
    name = "sessionCsrfAuth"


class ExtranetAPIView(PrivateAnswersMixin, APIView):
    authentication_classes = [SessionCsrfAuthentication]
    permission_classes = []


def denial_answer(request, reason):
    """The API's answer to a Denial (``cms_extranet.views.denial``), as the site's: 401
    with the login address, or 403 with the no-access page's explanation and links."""
    if reason.login_required:
        return Response(
            {"detail": LOGIN_REQUIRED, "login_url": reason.login_url},
            status=401,
            headers={"WWW-Authenticate": "Session"},
        )
    access_page = ExtranetSettings.for_request(request._request).access_page
    data = {
        "detail": NO_ACCESS_TITLE,
        "explanation": NO_ACCESS_EXPLANATION,
        "advice": NO_ACCESS_ADVICE,
        "required_profiles": reason.required_profiles,
        "access_url": access_page.get_full_url(request._request) if access_page else None,
    }
    return Response(NoAccessSerializer(data, context={"request": request._request}).data, status=403)


class MeSerializer(serializers.Serializer):
    authenticated = serializers.BooleanField()
    username = serializers.CharField(allow_null=True)
    name = serializers.CharField(help_text="Full name, or the username.")
    profiles = ProfileSerializer(many=True)
    applications = AppLinkSerializer(many=True, help_text="The home page's application tiles.")
    is_administrator = serializers.BooleanField(help_text="Administrator of a branch: Toegangsbeheer.")
    access_management_url = serializers.CharField(allow_null=True)
    can_follow = serializers.BooleanField(help_text="Holds a profile, so may follow pages.")
    mailing = ChoiceSerializer(allow_null=True, help_text="How often followed pages are mailed.")
    csrf_token = serializers.CharField(
        help_text="Send it as the X-CSRFToken header with every POST, PUT and DELETE "
        "(with the session's cookies). It changes at login and logout."
    )


def me_answer(request):
    """Who the session's user is, as the site's top bar, home page and profile show it."""
    from .access_management.actions import administers
    from .follow.models import Mailing, MailingPreference, can_follow

    user = request.user
    data = {
        "authenticated": False, "username": None, "name": "", "profiles": [],
        "applications": [], "is_administrator": False,
        "access_management_url": None, "can_follow": False, "mailing": None,
        "csrf_token": get_token(request._request),
    }
    if user.is_authenticated:
        administrator = administers(partner_account(user))
        mailing = Mailing(MailingPreference.of(user))
        data.update(
            authenticated=True,
            username=user.get_username(),
            name=user.get_full_name() or user.get_username(),
            profiles=Profile.objects.filter(code__in=user_profiles(user)),
            applications=app_links(user),
            is_administrator=administrator,
            access_management_url=reverse("extranet_access:index") if administrator else None,
            can_follow=can_follow(user),
            mailing={"value": mailing.value, "label": mailing.label},
        )
    return Response(MeSerializer(data).data)


class MeView(ExtranetAPIView):
    """Who the session's user is, and the CSRF token for what the front end sends."""

    @extend_schema(responses=MeSerializer, operation_id="extranet_me")
    def get(self, request):
        return me_answer(request)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class LoginAPIView(ExtranetAPIView):
    """Log in with the site's login form: its messages, and its throttling (429 after too
    many wrong passwords, as on ``/inloggen/``). Answers as ``me``, with a new CSRF token."""

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: MeSerializer,
            400: OpenApiResponse(FORM_ERRORS, description="The form's errors, per field."),
            403: OpenApiResponse(ErrorSerializer, description="The CSRF token is missing or wrong."),
            429: OpenApiResponse(ErrorSerializer, description="Too many wrong passwords."),
        },
        operation_id="extranet_login",
    )
    def post(self, request):
        form = LoginForm(request._request, data=request.data if hasattr(request.data, "get") else {})
        if not form.is_valid():
            return Response(form_errors(form), status=400)
        auth_login(request._request, form.get_user())
        request.user = form.get_user()
        return me_answer(request)


class LogoutAPIView(ExtranetAPIView):
    """End the session (as ``/uitloggen/``). Answers as ``me``, with a new CSRF token."""

    @extend_schema(
        request=None,
        responses={
            200: MeSerializer,
            403: OpenApiResponse(ErrorSerializer, description="The CSRF token is missing or wrong."),
        },
        operation_id="extranet_logout",
    )
    def post(self, request):
        auth_logout(request._request)
        request.user = request._request.user
        return me_answer(request)
