"""The database backend (the embedded default): its query on Wagtail's search index."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from cms.pages.models import ContentPage
from search.backends import DatabaseBackend

from .conftest import make_page

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
    assert DatabaseBackend().match_ids(AnonymousUser(), "kiwano rangtest", 1) == ids[:1]


def test_the_search_reads_a_full_text_index():
    """PostgreSQL: a GIN index on the vector it searches; SQLite: Wagtail's FTS5 table."""
    sql = str(DatabaseBackend().entries(AnonymousUser(), ["kiwano"]).query)
    if connection.vendor != "postgresql":
        assert 'FROM "wagtailsearch_indexentry_fts"' in sql and " MATCH " in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'extranet_search_entry_vector'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "title || body" in definition
