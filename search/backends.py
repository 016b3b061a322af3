"""Trimmed search: Elasticsearch when configured, else the database. One interface.

``backend.search(user, query)`` returns a sliceable, countable sequence of ``Match``
(page id and highlighted snippet) holding only pages the user may read.
"""

import re
from dataclasses import dataclass

import swapper
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from elasticsearch_dsl import Search
from elasticsearch_dsl.query import Bool, SimpleQueryString, Terms
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
    """A lazy result list for Django's Paginator: ``fetch(offset, size)`` gives (total, matches).

    The first query asks for the expected page and its total at once, so a normal
    search costs one round trip. Matches are checked once more against the pages the
    user may read, so a stale index never shows what it should not.
    """

    def __init__(self, fetch, user, expected_offset=0, size=10):
        self.fetch = fetch
        self.user = user
        self.cache = None
        self.expected = (expected_offset, size)

    def _load(self, offset, size):
        total, matches = self.fetch(offset, size)
        ids = [m.page_id for m in matches]
        pages = list(_pages().live().filter(pk__in=ids).only("pk", "path"))
        readable = {page.pk for page in readable_pages(self.user, pages)}
        matches = [m for m in matches if m.page_id in readable]
        self.total = total
        self.cache = (offset, size, matches)
        return matches

    def count(self):
        if self.cache is None:
            self._load(*self.expected)
        return min(self.total, MAX_WINDOW)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        start, stop = item.start or 0, item.stop
        if self.cache and self.cache[:2] == (start, stop - start):
            return self.cache[2]
        return self._load(start, stop - start)


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
        """The ids of the best ``limit`` matches, for callers that filter further (the API)."""
        try:
            response = self.query(user, text).source(False)[:limit].execute()
        except Exception as error:
            raise SearchUnavailable from error
        return [int(hit.meta.id) for hit in response]

    def search(self, user, text, expected_offset=0, size=10):
        search = (
            self.query(user, text)
            .source(["url"])
            .highlight("title", "intro", "body", number_of_fragments=1, fragment_size=SNIPPET_LENGTH)
            .highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html", require_field_match=False)
            .extra(track_total_hits=True)
        )

        def fetch(offset, size):
            try:
                response = search[offset : offset + size].execute()
            except Exception as error:  # transport, connection and server errors alike
                raise SearchUnavailable from error
            matches = []
            for hit in response:
                fragments = hit.meta.highlight.to_dict() if "highlight" in hit.meta else {}
                snippet = (fragments.get("body") or fragments.get("intro") or fragments.get("title") or [""])[0]
                matches.append(Match(int(hit.meta.id), mark_safe(snippet), getattr(hit, "url", "")))
            return response.hits.total.value, matches

        return Matches(fetch, user, expected_offset, size)


class DatabaseBackend:
    """Wagtail's database search backend over the pages the user may read."""

    name = "database"

    def results(self, user, text):
        """(words, Wagtail search results over the pages the user may read)."""
        live = _pages().live().filter(depth__gt=1)
        # Wagtail's search backends only take plain field filters, hence the subquery.
        readable = live.filter(pk__in=readable_pages(user, live).values("pk"))
        # Only words: the database backends choke on quotes and operators.
        words = re.findall(r"\w+", text)
        return words, get_search_backend().search(" ".join(words), readable, operator="and")

    def match_ids(self, user, text, limit):
        words, results = self.results(user, text)
        return [page.pk for page in results[:limit]] if words else []

    def search(self, user, text, expected_offset=0, size=10):
        words, results = self.results(user, text)

        def fetch(offset, size):
            if not words:
                return 0, []
            pages = list(results[offset : offset + size])
            specific = {p.pk: p for p in _pages().filter(pk__in=[p.pk for p in pages]).specific()}
            matches = []
            for page in pages:
                intro, body = page_texts(specific.get(page.pk, page))
                matches.append(Match(page.pk, highlight(body or intro, words)))
            return results.count(), matches

        return Matches(fetch, user, expected_offset, size)


def get_backend():
    return ElasticsearchBackend() if enabled() else DatabaseBackend()
