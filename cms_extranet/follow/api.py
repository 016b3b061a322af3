"""Following and Mailing for a decoupled front end: the toggle's and the profile page's
own code (``followable_page``, ``set_following``, ``followed_rows``, ``save_mailing``)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from ..api import FORM_ERRORS, ChoiceSerializer, ErrorSerializer, ExtranetAPIView, form_errors
from .models import Mailing, MailingPreference, can_follow, followed_rows
from .views import FOLLOW_REFUSED, followable_page, save_mailing, set_following


class FollowedPageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="page.pk")
    title = serializers.CharField(source="page.title")
    url = serializers.SerializerMethodField(help_text="The page's address on the site.")
    html_url = serializers.SerializerMethodField()
    breadcrumb = serializers.ListField(
        child=serializers.CharField(), help_text="Titles of the ancestors the user may read."
    )
    last_published_at = serializers.DateTimeField(source="page.last_published_at", allow_null=True)

    def get_url(self, row) -> str:
        return row["page"].get_url(self.context["request"])

    def get_html_url(self, row) -> str:
        return row["page"].get_full_url(self.context["request"])


class FollowedPagesSerializer(serializers.Serializer):
    items = FollowedPageSerializer(many=True)


class FollowingSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    message = serializers.CharField()


class MailingSerializer(serializers.Serializer):
    mailing = serializers.ChoiceField(choices=Mailing.choices)
    label = serializers.CharField(read_only=True)
    choices = ChoiceSerializer(many=True, read_only=True)


def mailing_answer(user):
    mailing = Mailing(MailingPreference.of(user))
    return {
        "mailing": mailing.value,
        "label": mailing.label,
        "choices": [{"value": value, "label": label} for value, label in Mailing.choices],
    }


class FollowerAPIView(ExtranetAPIView):
    """For users who hold a profile, as on the site (403 otherwise)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_follow(request.user):
            raise exceptions.PermissionDenied(FOLLOW_REFUSED)


FORBIDDEN = OpenApiResponse(ErrorSerializer, description="The user holds no profile.")


FOLLOW_SCHEMA = extend_schema(
    request=None,
    responses={
        200: FollowingSerializer,
        403: FORBIDDEN,
        404: OpenApiResponse(ErrorSerializer, description="No page the user may read."),
    },
)


class FollowedPagesView(FollowerAPIView):
    """The followed pages the user may read, as the profile page lists them."""

    @extend_schema(responses={200: FollowedPagesSerializer, 403: FORBIDDEN})
    def get(self, request):
        rows = followed_rows(request.user)
        serializer = FollowedPageSerializer(rows, many=True, context={"request": request._request})
        return Response({"items": serializer.data})


class FollowView(FollowerAPIView):
    """Follow (PUT) or stop following (DELETE) a page; both idempotent. A page the user
    may not read answers 404, as one that does not exist."""

    def change(self, request, page_id, following):
        page = followable_page(request.user, page_id)
        message = set_following(request.user, page, following)
        return Response({"following": following, "message": str(message)})

    @FOLLOW_SCHEMA
    def put(self, request, page_id):
        return self.change(request, page_id, True)

    @FOLLOW_SCHEMA
    def delete(self, request, page_id):
        return self.change(request, page_id, False)


class MailingAPIView(FollowerAPIView):
    """How often the user gets a mail about the followed pages that changed."""

    @extend_schema(responses={200: MailingSerializer, 403: FORBIDDEN})
    def get(self, request):
        return Response(mailing_answer(request.user))

    @extend_schema(request=MailingSerializer, responses={200: MailingSerializer, 400: FORM_ERRORS, 403: FORBIDDEN})
    def put(self, request):
        # A body that is not an object (a JSON list, say) is a form with no fields: 400.
        form = save_mailing(request.user, request.data if hasattr(request.data, "get") else {})
        if not form.is_valid():
            return Response(form_errors(form), status=400)
        return Response(mailing_answer(request.user))
