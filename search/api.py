from django.db.models import Case, IntegerField, When
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from rest_framework.filters import BaseFilterBackend

from .backends import SearchUnavailable, get_backend
from .views import clean_query

# The API ranks this many matches at most; more would page through the engine for nothing.
MAX_MATCHES = 1000


class SearchUnavailableError(APIException):
    status_code = 503
    default_detail = _("Search is temporarily unavailable. Try again later.")


class TrimmedSearchFilter(BaseFilterBackend):
    """``?search=`` through the site's own search: the query and profile filter of
    ``/zoeken/``, so the API never counts or returns what the user may not read.

    Goes last among the filters: it narrows the queryset the others made to the matches,
    in order of relevance unless ``order`` is given.
    """

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        try:
            ids = get_backend().match_ids(request.user, clean_query(request.GET["search"]), MAX_MATCHES)
        except SearchUnavailable as error:
            raise SearchUnavailableError from error
        queryset = queryset.filter(pk__in=ids)
        if "order" in request.GET:
            return queryset
        rank = Case(*(When(pk=pk, then=i) for i, pk in enumerate(ids)), output_field=IntegerField())
        return queryset.order_by(rank) if ids else queryset
