"""The database backend (the embedded default): its query on Wagtail's search index."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from cms.pages.models import ContentPage
from cms_extranet.access import readable_pages
from search.backends import DatabaseBackend

from .conftest import make_page
from .processes import on_postgres

pytestmark = pytest.mark.django_db


def found(user, text):
    matches = DatabaseBackend().search(user, text)
    return matches.count(), [m.page_id for m in matches[0:20]]


def test_a_page_moved_into_a_secured_section_is_found_by_those_who_may_read_it_only(home, django_user_model):
    section = make_page(home, "verhuissectie", "profiles", ["mlp"])
    page = make_page(home, "verhuispagina-kwartel")
    assert found(AnonymousUser(), "kwartel") == (1, [page.pk])
    page.move(section, pos="last-child")
    assert found(AnonymousUser(), "kwartel") == (0, [])
    assert found(django_user_model.objects.get(username="mlp.partner"), "kwartel") == (1, [page.pk])


def test_unpublished_pages_are_neither_listed_nor_counted(home):
    page = make_page(home, "ontpublicatie-kwartel")
    assert found(AnonymousUser(), "ontpublicatie")[0] == 1
    page.unpublish()
    assert found(AnonymousUser(), "ontpublicatie") == (0, [])


def test_every_word_must_occur_in_the_title_or_the_text(home):
    in_body = make_page(home, "rangpagina-een")
    ContentPage.objects.filter(pk=in_body.pk).update(intro="kiwano rangtest")
    in_body = ContentPage.objects.get(pk=in_body.pk)
    in_body.save_revision().publish()
    in_title = make_page(home, "kiwano-rangtest")
    count, ids = found(AnonymousUser(), "kiwano rangtest")
    assert (count, sorted(ids)) == (2, sorted([in_title.pk, in_body.pk]))
    assert found(AnonymousUser(), "kiwano onbestaand") == (0, [])
    assert DatabaseBackend().match_ids("kiwano rangtest", 1) == ids[:1]


def test_the_search_reads_a_full_text_index(home):
    """PostgreSQL: a rare word among thousands of entries is found through Wagtail's GIN
    indexes, not a scan; SQLite: through Wagtail's FTS5 table."""
    page = make_page(home, "kiwano")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO wagtailsearch_indexentry (content_type_id, object_id, title, autocomplete, body,"
                " title_norm, title_text, body_text) SELECT %s, g::text, to_tsvector('dutch', 'vulling'), '',"
                " to_tsvector('dutch', 'vulling tekst'), 1.0, 'vulling', 'vulling tekst'"
                " FROM generate_series(100000, 105000) AS g",
                [page.content_type_id],
            )
            cursor.execute("ANALYZE wagtailsearch_indexentry")
    with CaptureQueriesContext(connection) as queries:
        assert DatabaseBackend().match_ids("kiwano", 10) == [page.pk]
    [sql] = [q["sql"] for q in queries if "wagtailsearch_indexentry" in q["sql"] and "ORDER BY" in q["sql"]]
    if connection.vendor != "postgresql":
        assert 'FROM "wagtailsearch_indexentry_fts"' in sql and " MATCH " in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on wagtailsear_body" in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize("text", ["koolraap_zaaigoed", "de koolraap_zaaigoed", "koolraap zaaigoed", "de", "koolraap"])
def test_words_match_the_pages_wagtails_own_search_matches(home, text):
    """Each word asked of the title and the body apart finds what Wagtail finds in both
    together: a word the parser splits into a phrase, a stop word (PostgreSQL drops it)."""
    make_page(home, "koolraap_zaaigoed")
    make_page(home, "koolraap-zaaigoed")
    make_page(home, "koolraap")
    readable = readable_pages(AnonymousUser(), ContentPage.objects.live())
    readable = ContentPage.objects.filter(pk__in=list(readable.values_list("pk", flat=True)))
    wagtails = get_search_backend().search(text, readable, operator="and")
    assert sorted(DatabaseBackend().search(AnonymousUser(), text).readable_ids()) == sorted(page.pk for page in wagtails)


def test_pages_the_user_may_read_are_found_below_many_better_ranked_ones_they_may_not(home, monkeypatch):
    """The index ranks every page alike; more matches are asked until enough are readable."""
    monkeypatch.setattr("search.backends.MAX_MATCHES", 3)  # 16 matches asked first
    section = make_page(home, "raapsectie", "profiles", ["mlp"])
    secured = [make_page(section, f"raapzaad-raapzaad-raapzaad-{i}") for i in range(20)]
    public = [make_page(home, f"raapzaad-{i}") for i in range(3)]
    assert set(DatabaseBackend().match_ids("raapzaad", 16)) <= {page.pk for page in secured}
    matches = DatabaseBackend().search(AnonymousUser(), "raapzaad")
    assert (matches.count(), matches.more) == (3, False)
    assert sorted(match.page_id for match in matches[0:10]) == sorted(page.pk for page in public)


FOUND = (
    "from django.contrib.auth.models import AnonymousUser\n"
    "from search.backends import DatabaseBackend\n"
    "print(sorted(DatabaseBackend().search(AnonymousUser(), 'extranet').readable_ids()))"
)
TABLE_SIZE = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute(\"SELECT pg_relation_size('wagtailsearch_indexentry')\")\n"
    "    print(cursor.fetchone()[0])"
)


def test_rebuilding_the_database_index_finds_the_same_pages_from_a_compacted_table(scratch_site):
    """Without Elasticsearch, rebuild_search_index is Wagtail's update_index and then, on
    PostgreSQL, the table compacted: update_index leaves it three times its rows, all of which
    a search for a common word reads."""
    before = scratch_site.python(FOUND)
    assert len(before) > 10  # pages of the demo content, not an empty list
    if on_postgres():
        scratch_site.python("from django.core.management import call_command; call_command('update_index', verbosity=0)")
        bloated = int(scratch_site.python(TABLE_SIZE))
    output = scratch_site.manage("rebuild_search_index").stdout
    assert scratch_site.python(FOUND) == before
    if on_postgres():
        assert "gecompacteerd" in output
        assert int(scratch_site.python(TABLE_SIZE)) * 2 < bloated
