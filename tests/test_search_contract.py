"""The contract both search backends keep: the database one and Elasticsearch.

Every test here runs once per backend (the ``search_backend`` fixture).
"""

import re

import pytest
from wagtail.models import Page

from .conftest import index_changes, make_page, set_restriction

pytestmark = pytest.mark.django_db


def search(client, query, **params):
    response = client.get("/zoeken/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def titles(html):
    return re.findall(r'class="result__title"><a href="[^"]*">([^<]*)</a>', html)


def results_part(html, query):
    """The part of the page about the results, with the query itself blanked out."""
    start = html.index("<h1")
    end = html.index("</main>") if "</main>" in html else len(html)
    return html[start:end].replace(query, "…")


def test_anonymous_visitors_find_public_pages_only(client, search_backend):
    html = search(client, "toegang")
    assert "Hoe krijg je toegang tot Extranet?" in titles(html)
    assert "Richtlijnen Mijn Loopbaan voor Partners" not in html
    assert not any(t.startswith("Richtlijnen") for t in titles(search(client, "richtlijnen")))


def test_a_word_only_on_secured_pages_looks_like_a_nonsense_word(client, login, search_backend):
    # "handleiding" occurs only on secured pages: no count, title, snippet or hint of it.
    secret = results_part(search(client, "handleiding"), "handleiding")
    nonsense = results_part(search(client, "qzxwvk"), "qzxwvk")
    assert secret == nonsense
    partner = login("mlp.partner")
    assert results_part(search(partner, "handleiding"), "handleiding") != results_part(
        search(partner, "qzxwvk"), "qzxwvk"
    )


def test_partners_find_the_pages_of_their_profiles_and_no_others(login, search_backend):
    found = titles(search(login("mlp.partner"), "richtlijnen"))
    assert "Richtlijnen Mijn Loopbaan voor Partners" in found
    assert not any("Digitaal Archief" in t for t in found)
    found = titles(search(login("multi.partner"), "richtlijnen"))
    assert "Richtlijnen Mijn Loopbaan voor Partners" in found
    assert any("Digitaal Archief" in t for t in found)


def test_auditors_do_not_find_das_pages(login, search_backend):
    assert not any("Digitaal Archief" in t for t in titles(search(login("das.auditor"), "richtlijnen")))


def test_results_show_a_snippet_with_the_words_marked_and_a_breadcrumb(client, search_backend):
    html = search(client, "toegangsrechten")
    assert re.search(r'class="result__snippet">[^<]*<mark>toegangsrechten</mark>', html, re.IGNORECASE)
    assert 'class="result__breadcrumb">Extranet voor partners › Hoe krijg je toegang tot Extranet?' in html


def test_the_breadcrumb_of_a_public_page_in_a_secured_section_hides_the_section(client, login, search_backend):
    anonymous = search(client, "dossiers")
    assert "Over DAS: publieke informatie" in titles(anonymous)
    assert "Extranet-DAS" not in anonymous
    assert "Extranet-DAS" in search(login("das.partner"), "dossiers")


def test_a_page_secured_after_indexing_disappears_for_those_without_the_profile(client, login, home, search_backend):
    page = make_page(home, "zeldzame-zoekterm-pagina")
    index_changes(search_backend)
    assert "Zeldzame zoekterm pagina" in titles(search(client, "zeldzame"))
    set_restriction(page, "profiles", ["mlp"])
    index_changes(search_backend)
    assert titles(search(client, "zeldzame")) == []
    assert titles(search(login("mlp.partner"), "zeldzame")) == ["Zeldzame zoekterm pagina"]


def test_unpublished_and_deleted_pages_are_not_found(client, home, search_backend):
    gone = make_page(home, "verdwijnpagina-een")
    deleted = make_page(home, "verdwijnpagina-twee")
    index_changes(search_backend)
    assert len(titles(search(client, "verdwijnpagina"))) == 2
    gone.unpublish()
    Page.objects.get(pk=deleted.pk).delete()
    index_changes(search_backend)
    assert titles(search(client, "verdwijnpagina")) == []


def test_results_are_paginated_and_odd_page_numbers_give_a_normal_page(client, home, search_backend):
    for i in range(23):
        make_page(home, f"stapelpagina-{i:02d}")
    index_changes(search_backend)
    first = search(client, "stapelpagina")
    assert "23 resultaten voor ‘stapelpagina’" in first
    assert len(titles(first)) == 10
    assert "Pagina 1 van 3" in first
    third = search(client, "stapelpagina", page="3")
    assert len(titles(third)) == 3
    seen = set(titles(first)) | set(titles(search(client, "stapelpagina", page="2"))) | set(titles(third))
    assert len(seen) == 23
    assert "Pagina 3 van 3" in search(client, "stapelpagina", page="99999")
    assert "Pagina 1 van 3" in search(client, "stapelpagina", page="abc")
    assert "Pagina 1 van 3" in search(client, "stapelpagina", page="-1")


def test_beyond_the_counted_matches_the_count_says_more_than(client, home, search_backend, monkeypatch):
    monkeypatch.setattr("search.backends.MAX_MATCHES", 5)
    for i in range(6):
        make_page(home, f"overvloedpagina-{i}")
    index_changes(search_backend)
    html = search(client, "overvloedpagina")
    assert "Meer dan 5 resultaten voor ‘overvloedpagina’" in html
    assert len(titles(html)) == 5 and "Pagina" not in html
    assert titles(search(client, "overvloedpagina", page="2")) == titles(html)


def test_matches_on_pages_the_user_may_not_read_do_not_make_the_count_say_more(client, home, search_backend, monkeypatch):
    """Not from the database's secured matches, nor from an index that is not up to date."""
    monkeypatch.setattr("search.backends.MAX_MATCHES", 5)
    section = make_page(home, "overvloedsectie", "profiles", ["mlp"])
    for i in range(6):
        make_page(section, f"overvloedpagina-geheim-{i}")
    stale = [make_page(home, f"overvloedpagina-overvloedpagina-{i}") for i in range(6)]
    for i in range(5):
        make_page(home, f"overvloedpagina-{i}")
    index_changes(search_backend)
    for page in stale:  # secured since the index was last updated
        set_restriction(page, "profiles", ["mlp"])
    html = search(client, "overvloedpagina")
    assert "5 resultaten voor ‘overvloedpagina’" in html and "Meer dan" not in html
    assert sorted(titles(html)) == [f"Overvloedpagina {i}" for i in range(5)]


@pytest.mark.parametrize(
    "query",
    ["", " ", "x" * 10_000, "\x00\x1b[31m\x7f", 'toegang"', '"unbalanced', "a(b", "toegang)",
     "+-=&&||><!(){}[]^\"~*?:\\/", "title:toegang", "AND", "NOT", "*", "toegang~2", "\u200b"],
)
def test_bad_search_input_gives_a_normal_page(client, search_backend, query):
    html = search(client, query)
    assert "Zoeken" in html


def test_empty_search_invites_to_type_a_word(client, search_backend):
    assert "Typ een zoekterm" in search(client, "")
