"""Wagtail's API v2 for the extranet: only what the requesting user may read.

Pages go through ``readable_pages`` as the viewset's base queryset, which Wagtail also
uses for the tree filters (``child_of``, ``ancestor_of``, ``descendant_of``) and for the
``parent`` of a page: a page the user may not read is, to the API, a page that does not
exist. Documents go through ``readable_documents``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.api.v2.serializers import PageAliasOfField, PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet

from .access import readable_documents, readable_pages


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


class ReadablePagesAPIViewSet(SaneParametersMixin, PrivateAnswersMixin, PagesAPIViewSet):
    base_serializer_class = ReadablePageSerializer

    def get_base_queryset(self):
        return readable_pages(self.request.user, super().get_base_queryset())


class ReadableDocumentsAPIViewSet(SaneParametersMixin, PrivateAnswersMixin, DocumentsAPIViewSet):
    def get_queryset(self):
        return readable_documents(self.request.user, super().get_queryset())
