"""The site's headless API at /api/v2/: pages and documents as the requesting user may
read them, pages searched through the site's own search."""

from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter

from cms_extranet.api import ReadableDocumentsAPIViewSet, ReadablePagesAPIViewSet
from search.api import TrimmedSearchFilter


class PagesAPIViewSet(ReadablePagesAPIViewSet):
    filter_backends = [
        TrimmedSearchFilter if backend is SearchFilter else backend
        for backend in ReadablePagesAPIViewSet.filter_backends
    ]


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
# Documents are not in the site's search index: Wagtail's search, over readable documents.
api_router.register_endpoint("documents", ReadableDocumentsAPIViewSet)


def api_endpoints_only(endpoints, **kwargs):
    """drf-spectacular's preprocessing hook: the schema documents /api/v2/, not the admin's API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v2/")]
