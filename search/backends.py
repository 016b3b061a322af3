"""Trimmed search: Elasticsearch when configured, else the database. One interface.

``backend.search(user, query)`` returns a sliceable, countable sequence of ``Match``
(page id and highlighted snippet) holding, and counting, only pages the user may read.
"""

import re
from dataclasses import dataclass

import swapper
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.search.backends import get_search_backend

from cms_extranet.access import readable_pages, user_profiles

from .documents import PUBLIC, alias_name, client, enabled, page_texts

# Elasticsearch pages no further than this (index.max_result_window).
MAX_WINDOW = 10_000
SNIPPET_LENGTH = 180


@dataclass(frozen=True)
class Match:
    page_id: int
    snippet: SafeString
    url: str = ""  # when the backend knows it; else the page is asked


class SearchUnavailable(Exception):
    """The search engine could not answer."""


class Matches:
    """A lazy result list for Django's Paginator.

    ``ranked_ids()`` gives the ids of all matches, best first (at most MAX_WINDOW); they are
    checked once more against the pages the user may read, so a stale index neither shows
    nor counts what it should not. ``details(ids)`` gives the ``Match`` of each id shown.
    """

    def __init__(self, user, ranked_ids, details):
        self.user = user
        self.ranked_ids = ranked_ids
        self.details = details
        self.ids = None

    def readable_ids(self):
        if self.ids is None:
            ids = self.ranked_ids()
            pages = list(_pages().live().filter(pk__in=ids).only("pk", "path", "alias_of_id"))
            readable = {page.pk for page in readable_pages(self.user, pages)}
            self.ids = [pk for pk in ids if pk in readable]
        return self.ids

    def count(self):
        return len(self.readable_ids())

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        ids = self.readable_ids()[item]
        found = {match.page_id: match for match in self.details(ids)} if ids else {}
        return [found[pk] for pk in ids if pk in found]


def highlight(text, words, length=SNIPPET_LENGTH):
    """An escaped excerpt of ``text`` around the first of ``words``, with matches in <mark>."""
    words = [w for w in words if w]
    if not text:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - length // 3) if found else 0
    excerpt = text[start : start + length]
    prefix, suffix = ("…" if start else ""), ("…" if start + length < len(text) else "")
    if pattern is None:
        return mark_safe(escape(prefix + excerpt + suffix))
    parts, last = [], 0
    for m in pattern.finditer(excerpt):
        parts += [escape(excerpt[last : m.start()]), "<mark>", escape(m.group()), "</mark>"]
        last = m.end()
    parts.append(escape(excerpt[last:]))
    return mark_safe(escape(prefix) + "".join(parts) + escape(suffix))


def _pages():
    return swapper.load_model("wagtailcore", "Page").objects


class ElasticsearchBackend:
    """One bool query: the text, filtered by "public OR one of the user's profiles"."""

    name = "elasticsearch"

    def query(self, user, text):
        from elasticsearch_dsl import Search  # an optional extra, needed only here
        from elasticsearch_dsl.query import Bool, SimpleQueryString, Terms

        allowed = [PUBLIC, *sorted(user_profiles(user))]
        return Search(using=client(timeout=5), index=alias_name()).query(
            Bool(
                must=[
                    SimpleQueryString(
                        query=text,
                        fields=["title^3", "title.exact^4", "intro^2", "intro.exact^2", "body", "body.exact"],
                        default_operator="and",
                        # No prefix, fuzzy or slop operators: no costly expansions.
                        flags="AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE|ESCAPE",
                    )
                ],
                filter=[Terms(restriction=allowed)],
            )
        )

    def match_ids(self, user, text, limit):
        """The ids of the best ``limit`` matches, for callers that filter further."""
        try:
            search = self.query(user, text).source(False).extra(track_total_hits=False)
            response = search.params(filter_path="hits.hits._id")[:limit].execute().to_dict()
        except Exception as error:  # transport, connection and server errors alike
            raise SearchUnavailable from error
        return [int(hit["_id"]) for hit in response.get("hits", {}).get("hits", [])]

    def search(self, user, text):
        def details(ids):
            search = (
                self.query(user, text)
                .filter("ids", values=[str(pk) for pk in ids])
                .source(["url"])
                .highlight("title", "intro", "body", number_of_fragments=1, fragment_size=SNIPPET_LENGTH)
                .highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html", require_field_match=False)
            )
            try:
                response = search[: len(ids)].execute()
            except Exception as error:
                raise SearchUnavailable from error
            for hit in response:
                fragments = hit.meta.highlight.to_dict() if "highlight" in hit.meta else {}
                snippet = (fragments.get("body") or fragments.get("intro") or fragments.get("title") or [""])[0]
                yield Match(int(hit.meta.id), mark_safe(snippet), getattr(hit, "url", ""))

        return Matches(user, lambda: self.match_ids(user, text, MAX_WINDOW), details)


class DatabaseBackend:
    """Wagtail's database search backend over the pages the user may read."""

    name = "database"

    def results(self, user, text):
        """(words, Wagtail search results over the pages the user may read)."""
        live = _pages().live().filter(depth__gt=1)
        # Wagtail's search backends only take plain field filters, hence the subquery.
        readable = live.filter(pk__in=readable_pages(user, live).values("pk")).only("pk")
        # Only words: the database backends choke on quotes and operators.
        words = re.findall(r"\w+", text)
        return words, get_search_backend().search(" ".join(words), readable, operator="and")

    def match_ids(self, user, text, limit):
        words, results = self.results(user, text)
        return [page.pk for page in results[:limit]] if words else []

    def search(self, user, text):
        words = re.findall(r"\w+", text)

        def details(ids):
            for page in _pages().filter(pk__in=ids).specific():
                intro, body = page_texts(page)
                yield Match(page.pk, highlight(body or intro, words))

        return Matches(user, lambda: self.match_ids(user, text, MAX_WINDOW), details)


def get_backend():
    return ElasticsearchBackend() if enabled() else DatabaseBackend()
