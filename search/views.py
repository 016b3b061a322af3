from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.models import Page

from cms_extranet.access import readable_pages

MAX_QUERY_LENGTH = 200


class SearchView(TemplateView):
    """Title search over the pages the visitor may read; the Elasticsearch issue replaces it."""

    template_name = "search/search.html"
    paginate_by = 10
    extra_context = {"title": _("Zoeken")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(
            "".join(c for c in self.request.GET.get("q", "") if c.isprintable()).split()
        )[:MAX_QUERY_LENGTH]
        context["search_query"] = query
        if not query:
            return context
        pages = Page.objects.live().filter(depth__gt=1)
        for word in query.split()[:10]:
            pages = pages.filter(Q(title__icontains=word) | Q(search_description__icontains=word))
        pages = readable_pages(self.request.user, pages).order_by("-last_published_at", "pk")
        context["page_obj"] = Paginator(pages, self.paginate_by).get_page(self.request.GET.get("page"))
        return context
