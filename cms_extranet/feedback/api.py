"""Feedback for a decoupled front end: the site's form, honeypot, rate limit and rule
that a secured page of origin is recorded but never named (``FeedbackView``'s code)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..api import FORM_ERRORS, ErrorSerializer, ExtranetAPIView, form_errors
from .forms import FeedbackForm
from .views import local_path, named_page, page_for_path, submit

THANKS = _("Thank you for your feedback")


class FeedbackRequestSerializer(serializers.Serializer):
    """What the site's form takes (``FeedbackForm``) and the page it came from."""

    message = serializers.CharField()
    name = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.CharField(
        required=False, allow_blank=True, help_text="The honeypot: leave it empty."
    )
    page = serializers.CharField(
        required=False, allow_blank=True, help_text="The path of the page the feedback is about."
    )


class NamedPageSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class FeedbackThanksSerializer(serializers.Serializer):
    detail = serializers.CharField()
    page = NamedPageSerializer(allow_null=True, help_text="Only a page the user may read.")


class FeedbackAPIView(ExtranetAPIView):
    """Submit feedback: 201 when stored; 400 with the form's errors (a filled-in honeypot
    too); 429 over the rate limit; 503 when the database is too busy."""

    @extend_schema(
        request=FeedbackRequestSerializer,
        responses={
            201: FeedbackThanksSerializer,
            400: OpenApiResponse(FORM_ERRORS, description="The form's errors, per field."),
            429: ErrorSerializer,
            503: ErrorSerializer,
        },
    )
    def post(self, request):
        data = request.data
        raw_path = data.get("page", "") if hasattr(data, "get") else ""
        path = local_path(raw_path if isinstance(raw_path, str) else "")
        page = page_for_path(request._request, path)
        form = FeedbackForm(data=data if hasattr(data, "get") else {})
        if not form.is_valid():
            return Response(form_errors(form), status=400)
        refusal = submit(request._request, form, path, page)
        if refusal is not None:
            status, message = refusal
            return Response({"detail": str(message)}, status=status)
        named = named_page(request.user, page)
        return Response(
            {
                "detail": str(THANKS),
                "page": {"title": named.title, "url": named.get_url(request._request)} if named else None,
            },
            status=201,
        )
