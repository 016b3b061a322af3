"""The Elasticsearch document of a page, and the index that holds it."""

from functools import lru_cache
from html import unescape

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import strip_tags
from wagtail.search import index

from .conf import search_settings

# Not a valid profile code (a slug), so it can never collide with one.
PUBLIC = "@public"

# The token filter of this project's plugin (es_node/plugin), installed on every
# node, tests included: Lucene's Snowball Dutch stemmer, the same analysis everywhere.
PLUGIN_STEMMER = "extranet_dutch_stem"

ANALYSIS = {
    "filter": {"extranet_dutch_stop": {"type": "stop", "stopwords": "_dutch_"}},
    "analyzer": {
        "extranet_dutch": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "extranet_dutch_stop", PLUGIN_STEMMER],
        },
        "extranet_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
}


@lru_cache(maxsize=1)
def page_document():
    """The document class; built on first use, as elasticsearch-dsl is an optional extra."""
    from elasticsearch_dsl import Date, Document, Keyword, Long, Text

    def text():
        # Offsets in the postings let the highlighter skip re-analysing the text.
        return Text(
            analyzer="extranet_dutch", index_options="offsets", fields={"exact": Text(analyzer="extranet_exact")}
        )

    class PageDocument(Document):
        title = text()
        intro = text()
        body = text()
        url = Keyword(index=False)
        breadcrumb = Keyword(index=False)
        path = Keyword()
        last_published_at = Date()
        restriction = Keyword()
        # The id again, read from doc values: the search for all match ids then reads no
        # stored fields (``_id`` sits in the blocks with ``_source``).
        page_id = Long(index=False)

    return PageDocument


def alias_name():
    return search_settings.INDEX_ALIAS


@lru_cache(maxsize=4)
def _client(url, timeout):
    from elasticsearch import Elasticsearch

    nodes = [node.strip() for node in url.split(",") if node.strip()]
    options = search_settings.ELASTICSEARCH_OPTIONS
    return Elasticsearch(nodes, request_timeout=timeout, max_retries=0, **options)


def client(timeout=10):
    """The cluster of ELASTICSEARCH_URL (one node or several, comma-separated), with
    EXTRANET_SEARCH_ELASTICSEARCH_OPTIONS (TLS, authentication) passed to the client as they are."""
    return _client(search_settings.ELASTICSEARCH_URL, timeout)


def enabled():
    return bool(search_settings.ELASTICSEARCH_URL)


def index_body():
    """Settings and mappings for a new index: Dutch stemming, stop words and an exact sub-field."""
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": search_settings.INDEX_REPLICAS,
            "analysis": ANALYSIS,
        },
        "mappings": page_document()._doc_type.mapping.to_dict(),
    }


def page_texts(page):
    """(intro, body) as plain text, from the page's Wagtail search fields."""
    intro = getattr(page, "intro", None) or page.search_description or ""
    body = []
    for field in page.get_search_fields():
        if not isinstance(field, index.SearchField) or field.field_name in ("title", "intro"):
            continue
        try:
            model_field = field.get_field(page.__class__)
        except FieldDoesNotExist:
            model_field = None
        if hasattr(model_field, "get_searchable_content"):
            body.extend(unescape(strip_tags(s)) for s in model_field.get_searchable_content(getattr(page, field.field_name)))
        else:
            value = field.get_value(page)
            if isinstance(value, str):
                body.append(unescape(strip_tags(value)))
    return intro, " ".join(s.strip() for s in body if s and s.strip())


def restriction_terms(restriction):
    return [PUBLIC] if restriction.is_public else sorted(restriction.profiles)


def build_document(page, restriction, breadcrumb):
    """The document of a live, specific page; ``breadcrumb`` lists its ancestors' titles."""
    intro, body = page_texts(page)
    return page_document()(
        meta={"id": page.pk},
        page_id=page.pk,
        title=page.title,
        intro=intro,
        body=body,
        url=page.get_url() or "",
        breadcrumb=breadcrumb,
        path=page.path,
        last_published_at=page.last_published_at,
        restriction=restriction_terms(restriction),
    )
