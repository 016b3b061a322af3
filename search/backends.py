"""Trimmed search: Elasticsearch when configured, else the database. One interface.

``backend.search(user, query)`` returns a sliceable, countable sequence of ``Match``
(page id and highlighted snippet) holding, and counting, only pages the user may read.
"""

import json
import operator
import re
from dataclasses import dataclass
from functools import reduce

import swapper
from django.db import connection, connections, router
from django.db.models import F, Lookup, Q
from django.db.models.expressions import CombinedExpression
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.search.backends import get_search_backend

from cms_extranet.access import readable_pages, user_profiles

from .documents import PUBLIC, alias_name, client, enabled, page_texts

# Elasticsearch pages no further than this (index.max_result_window).
MAX_WINDOW = 10_000
# Matches counted and paged at most: beyond, "more than". Counting every match of a common
# word would cost more than the whole rest of the search.
MAX_MATCHES = 1_000
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

    ``ranked_ids(limit)`` gives the ids of the best ``limit`` matches; they are checked once
    more against the pages the user may read, so a stale index neither shows nor counts what
    it should not. ``details(ids)`` gives the ``Match`` of each id shown. ``count()`` is exact
    up to MAX_MATCHES; ``more`` says the user may read more than that.
    """

    def __init__(self, user, ranked_ids, details, window=MAX_WINDOW, first=None):
        self.user = user
        self.ranked_ids = ranked_ids
        self.details = details
        self.window = window  # the most ids the engine gives; None: no limit
        self.first = first  # the ids asked first; by default MAX_MATCHES + 1
        self.ids = None

    def readable_ids(self):
        """The ids of the best MAX_MATCHES + 1 readable matches: more are asked of the
        engine only when unreadable or stale entries left fewer than that in a full window."""
        if self.ids is None:
            limit = self.first or MAX_MATCHES + 1
            while True:
                ids = self.ranked_ids(limit)
                # Rows tested in Python, not a readable_pages queryset: its SQL grows with the
                # restrictions (2 000 of them: 200 ms for 10 000 ids, against 45 ms).
                pages = with_ids(_pages().live().filter(depth__gt=1), [pk for pk in ids if pk])
                pages = list(pages.values_list("pk", "path", "alias_of_id", named=True))
                readable = {page.pk for page in readable_pages(self.user, pages)}
                self.ids = [pk for pk in ids if pk in readable][: MAX_MATCHES + 1]
                if len(self.ids) > MAX_MATCHES or len(ids) < limit or limit == self.window:
                    return self.ids
                limit = min(limit * 4, self.window or limit * 4)
        return self.ids

    def found(self):
        """The number of readable matches, counting no further than MAX_MATCHES + 1."""
        return len(self.readable_ids())

    def count(self):
        return min(self.found(), MAX_MATCHES)

    def __len__(self):
        return self.count()

    @property
    def more(self):
        return self.found() > MAX_MATCHES

    def __getitem__(self, item):
        ids = self.readable_ids()[:MAX_MATCHES][item]
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


class _AnyOf(Lookup):
    """``lhs`` among thousands of ids, given as one parameter (an array, a JSON list), not
    one each: SQLite may allow no more than 32 766."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            # As the array's text: psycopg's dump of a list of 4 004 ints took about 2 ms.
            return f"{lhs} = ANY(%s::integer[])", [*params, "{" + ",".join(map(str, ids)) + "}"]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(ids)]


def with_ids(pages, ids):
    if connection.vendor in ("postgresql", "sqlite"):
        return pages.filter(_AnyOf(F("pk"), ids))
    return pages.filter(pk__in=ids)


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
        """The ids of the best ``limit`` matches, for ``Matches`` to check against the pages the
        user may read.

        Read from the doc values of ``page_id``, with no stored field: ``_id`` would have
        each hit's stored-field block (``_source`` with it) decompressed. A document without
        ``page_id`` (an index built before it, until ``rebuild_search_index``) shows as fewer
        ids than hits; then the ids are asked again as ``_id``.
        """
        try:
            search = self.query(user, text).extra(
                stored_fields="_none_", docvalue_fields=["page_id"], track_total_hits=limit
            )
            response = search.params(filter_path="took,hits.total.value,hits.hits.fields.page_id")[:limit]
            response = response.execute().to_dict()
            hits = response.get("hits", {})
            ids = [hit["fields"]["page_id"][0] for hit in hits.get("hits", []) if "page_id" in hit.get("fields", {})]
            if len(ids) < min(hits.get("total", {}).get("value", 0), limit):
                search = self.query(user, text).source(False).extra(track_total_hits=False)
                response = search.params(filter_path="took,hits.hits._id")[:limit].execute().to_dict()
                ids = [int(hit["_id"]) for hit in response.get("hits", {}).get("hits", [])]
        except Exception as error:  # transport, connection and server errors alike
            raise SearchUnavailable from error
        return ids

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

        return Matches(user, lambda limit: self.match_ids(user, text, limit), details)


class DatabaseBackend:
    """Wagtail's database search index, queried straight: the full-text index (PostgreSQL:
    Wagtail's GIN indexes; SQLite: FTS5) ranks the matches, the best are then checked
    against the pages the user may read.

    Ranked in the index alone, as Elasticsearch is, and checked after: a common word is
    on most pages, and testing each of them for the user cost as much as ranking them.
    """

    name = "database"

    def match_ids(self, text, limit):
        """The page ids of the best ``limit`` matches, readable or not. On SQLite a match that
        is not a page (an image, a document) keeps its place as None: ranked in the FTS5
        table alone, without reading an index entry for every match."""
        from wagtail.search.models import IndexEntry
        from modelsearch.utils import get_descendants_content_types_pks

        words = re.findall(r"\w+", text)
        if not words:
            return []
        page_types = get_descendants_content_types_pks(_pages().model)
        if connection.vendor == "postgresql":
            entries = _postgres_matches(IndexEntry.objects.filter(content_type_id__in=page_types), words)
            return [int(pk) for pk in entries.values_list("object_id", flat=True)[:limit]]
        ranked = list(_sqlite_matches(words).values_list("pk", flat=True)[:limit])
        entries = with_ids(IndexEntry.objects.filter(content_type_id__in=page_types), ranked)
        pages = dict(entries.values_list("pk", "object_id"))
        return [int(pages[pk]) if pk in pages else None for pk in ranked]

    def search(self, user, text):
        # Only words: the database backends choke on quotes and operators.
        words = re.findall(r"\w+", text)

        def details(ids):
            for page in _pages().filter(pk__in=ids).specific():
                intro, body = page_texts(page)
                yield Match(page.pk, highlight(body or intro, words))

        # The index holds every page, readable or not: no window, and four times the ids
        # first, so that one query does when a quarter of the matches are readable.
        ranked_ids = lambda limit: self.match_ids(text, limit)  # noqa: E731
        return Matches(user, ranked_ids, details, window=None, first=4 * (MAX_MATCHES + 1))


def compact_database_index():
    """On PostgreSQL, Wagtail's index table rewritten without its dead rows; whether it was.

    ``update_index`` writes every entry three times (the entry, then its title norm twice), so
    after a full build the table is three times its rows, and a search for a common word reads
    all of it. VACUUM FULL locks the table while it runs."""
    from wagtail.search.models import IndexEntry

    connection = connections[router.db_for_write(IndexEntry)]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL ANALYZE {connection.ops.quote_name(IndexEntry._meta.db_table)}")
    return True


def _postgres_matches(entries, words):
    """Wagtail's query and rank (``wagtail.search.backends.database.postgres``): every word in
    ``title || body``, ranked by title and body.

    Asked word by word as ``title @@ word OR body @@ word`` where the word is one lexeme: the
    same rows (the query is an AND of words), found through Wagtail's index on each column,
    without joining the two vectors of every row, which was most of the time of a common
    word. A stop word is left out, as ``to_tsquery`` leaves it out of the whole query; a word
    the parser splits into a phrase keeps ``title || body`` (the index of migration 0004).
    """
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
    from wagtail.search.backends.database.postgres.query import Lexeme
    from wagtail.search.backends.database.postgres.weights import get_sql_weights

    config = get_search_backend().config

    def tsquery(words):
        return SearchQuery(reduce(operator.and_, (Lexeme(word) for word in words)), search_type="raw", config=config)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(to_tsquery(%s::regconfig, quote_literal(word))) FROM unnest(%s::text[]) AS word",
            [config, words],
        )
        nodes = [row[0] for row in cursor.fetchall()]
    if not any(nodes):
        return entries.none()  # only stop words: to_tsquery matches nothing
    entries = entries.alias(vector=CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField()))
    for word, count in zip(words, nodes):
        query = tsquery([word])
        if count == 1:
            entries = entries.filter(Q(title=query) | Q(body=query))
        elif count:
            entries = entries.filter(vector=query)
    query, weights = tsquery(words), get_sql_weights()
    rank = SearchRank(F("title"), query, weights=weights) * F("title_norm") + SearchRank(F("body"), query, weights=weights)
    return entries.alias(rank=rank).order_by("-rank", "-id")


def _sqlite_matches(words):
    """Wagtail's FTS5 match, ranked by bm25 (``wagtail.search.backends.database.sqlite``)."""
    from wagtail.search.backends.database.sqlite.query import BM25, Lexeme, MatchExpression, SearchQueryExpression
    from wagtail.search.models import SQLiteFTSIndexEntry

    query = SearchQueryExpression(reduce(operator.and_, (Lexeme(word) for word in words)))
    return (
        SQLiteFTSIndexEntry.objects.filter(MatchExpression(["title", "body"], query))
        .alias(rank=BM25())
        .order_by("rank", "-pk")
    )


def get_backend():
    return ElasticsearchBackend() if enabled() else DatabaseBackend()
