from django.db.models import Case, IntegerField, When
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response

from cms_extranet.api import ErrorSerializer, ExtranetAPIView

from .backends import MAX_MATCHES, SearchUnavailable, get_backend
from .views import PER_PAGE, clean_query, search


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
            ids = get_backend().search(request.user, clean_query(request.GET["search"])).readable_ids()[:MAX_MATCHES]
        except SearchUnavailable as error:
            raise SearchUnavailableError from error
        queryset = queryset.filter(pk__in=ids)
        if "order" in request.GET:
            return queryset
        rank = Case(*(When(pk=pk, then=i) for i, pk in enumerate(ids)), output_field=IntegerField())
        return queryset.order_by(rank) if ids else queryset


class SearchResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(help_text="Safe HTML: escaped text, the matches in <mark>.")
    breadcrumb = serializers.ListField(
        child=serializers.CharField(), help_text="Titles of the ancestors the user may read."
    )
    date = serializers.DateTimeField(allow_null=True, help_text="Last published.")


class SearchAnswerSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched (cleaned).")
    total = serializers.IntegerField(help_text=f"Matches the user may read, counted up to {MAX_MATCHES}.")
    more = serializers.BooleanField(help_text=f"The user may read more than {MAX_MATCHES} matches; only those are paged.")
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    results = SearchResultSerializer(many=True)


class SearchAPIView(ExtranetAPIView):
    """The site's search (``/zoeken/``) as JSON: the same query cleaning, backend, filter
    on what the user may read and presentation (snippet, breadcrumb, date)."""

    @extend_schema(
        operation_id="extranet_search",
        parameters=[
            OpenApiParameter("q", str, description="The words to search for."),
            OpenApiParameter("page", int, description="The page of results (10 a page)."),
        ],
        responses={200: SearchAnswerSerializer, 503: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request):
        request._request.extranet_private = True  # the results depend on who asks
        try:
            query, page_obj, results = search(request._request, request.GET.get("q", ""), request.GET.get("page"))
        except SearchUnavailable as error:
            raise SearchUnavailableError from error
        data = {"query": query, "total": 0, "more": False, "page": 1, "num_pages": 0, "per_page": PER_PAGE, "results": []}
        if page_obj is not None:
            data.update(
                total=page_obj.paginator.count,
                more=page_obj.paginator.object_list.more,
                page=page_obj.number,
                num_pages=page_obj.paginator.num_pages if page_obj.paginator.count else 0,
                results=[vars(result) for result in results],
            )
        return Response(SearchAnswerSerializer(data).data)
