from dataclasses import dataclass

import swapper
from django.core.paginator import Paginator
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from cms_extranet.access import readable_breadcrumbs

from .backends import SearchUnavailable, get_backend

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1_000


def clean_query(raw):
    """Printable text, single spaces, at most MAX_QUERY_LENGTH characters."""
    text = "".join(c if c.isprintable() else " " for c in raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def requested_page(raw):
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


@dataclass
class Result:
    title: str
    url: str
    snippet: SafeString
    breadcrumb: list
    date: object


def present(request, matches):
    """Titles, URLs, dates and breadcrumbs from the database; ancestors only when readable."""
    Page = swapper.load_model("wagtailcore", "Page")
    pages = {p.pk: p for p in Page.objects.filter(pk__in=[m.page_id for m in matches])}
    breadcrumbs = readable_breadcrumbs(request.user, list(pages.values()))
    results = []
    for match in matches:
        page = pages.get(match.page_id)
        if page is None:
            continue
        breadcrumb = breadcrumbs[page.pk]
        url = match.url or page.get_url(request)
        results.append(Result(page.title, url, match.snippet, breadcrumb, page.last_published_at))
    return results


PER_PAGE = 10


def search(request, raw_query, raw_page=None, per_page=PER_PAGE):
    """The site's search: the cleaned query, the requested page of the matches this user
    may read (a Paginator page; None for an empty query) and its presented results.

    Raises SearchUnavailable when the engine cannot answer.
    """
    query = clean_query(raw_query)
    if not query:
        return query, None, []
    matches = get_backend().search(request.user, query)
    page_obj = Paginator(matches, per_page).get_page(requested_page(raw_page))
    return query, page_obj, present(request, page_obj.object_list)


class SearchView(TemplateView):
    """Full-text search that shows each visitor only the pages they may read."""

    template_name = "extranet_search/search.html"
    paginate_by = PER_PAGE
    extra_context = {"title": pgettext_lazy("site search", "Search")}

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 503 if context.get("unavailable") else 200
        response = self.render_to_response(context, status=status)
        # Results depend on who asks.
        patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            query, page_obj, results = search(
                self.request, self.request.GET.get("q", ""), self.request.GET.get("page"), self.paginate_by
            )
        except SearchUnavailable:
            context["search_query"] = clean_query(self.request.GET.get("q", ""))
            context["unavailable"] = True
            return context
        context["search_query"] = query
        if page_obj is not None:
            context["results"] = results
            context["page_obj"] = page_obj
            context["more_results"] = page_obj.paginator.object_list.more
        return context
