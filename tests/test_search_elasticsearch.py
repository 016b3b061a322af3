"""Elasticsearch specifics: the index follows the pages, survives outages, and never leaks."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from wagtail.models import Page

from search import documents, indexing
from search.backends import ElasticsearchBackend
from search.models import IndexUpdate

from .conftest import index_changes, make_page, set_restriction

pytestmark = pytest.mark.django_db


def doc(es, page):
    found = es.options(ignore_status=404).get(index=documents.alias_name(), id=page.pk)
    return found["_source"] if found.get("found") else None


def test_documents_carry_the_effective_restriction(elasticsearch):
    public = Page.objects.get(url_path="/extranet/hoe-krijg-je-toegang/")
    secured = Page.objects.get(url_path="/extranet/mlp/richtlijnen/handleiding/")
    assert doc(elasticsearch, public)["restriction"] == [documents.PUBLIC]
    assert doc(elasticsearch, secured)["restriction"] == ["mlp"]
    assert doc(elasticsearch, secured)["breadcrumb"][-2:] == [
        "Extranet-MLP: informatie voor partners",
        "Richtlijnen Mijn Loopbaan voor Partners",
    ]


def test_the_index_analyses_dutch_exactly_as_production_defines_it(elasticsearch, client):
    # One definition, whatever the node: the plugin's stemmer, installed with elasticsearch-plugin.
    (live,) = elasticsearch.indices.get_settings(index=documents.alias_name()).values()
    assert live["settings"]["index"]["analysis"] == documents.index_body()["settings"]["analysis"]
    assert "extranet_dutch_stem" in live["settings"]["index"]["analysis"]["analyzer"]["extranet_dutch"]["filter"]
    assert "extranet-analysis-dutch" in {p["component"] for p in elasticsearch.cat.plugins(format="json")}
    tokens = elasticsearch.indices.analyze(
        index=documents.alias_name(), analyzer="extranet_dutch", text="De richtlijnen van de richtlijn"
    )["tokens"]
    assert [t["token"] for t in tokens] == ["richtlijn", "richtlijn"]
    # Stemming: the singular finds the page titled with the plural.
    html = client.get("/zoeken/", {"q": "toegangsrecht"}).content.decode()
    assert "Hoe krijg je toegang tot Extranet?" in html


def test_the_profile_filter_does_not_grow_with_the_number_of_restricted_pages(elasticsearch, home, django_user_model):
    user = django_user_model.objects.get(username="multi.partner")
    before = ElasticsearchBackend().query(user, "richtlijnen").to_dict()
    for i in range(30):
        make_page(home, f"beveiligd-{i}", restriction="profiles", profiles=["das"])
    user = django_user_model.objects.get(username="multi.partner")
    assert ElasticsearchBackend().query(user, "richtlijnen").to_dict() == before
    assert before["query"]["bool"]["filter"] == [{"terms": {"restriction": [documents.PUBLIC, "das", "mlp"]}}]


def test_user_input_never_reaches_query_string_syntax(elasticsearch):
    query = ElasticsearchBackend().query(AnonymousUser(), "title:x OR body:/.*/").to_dict()
    assert "'query_string'" not in str(query)
    assert query["query"]["bool"]["must"][0]["simple_query_string"]["query"] == "title:x OR body:/.*/"


def test_a_restriction_change_reindexes_the_whole_subtree(elasticsearch, home):
    section = make_page(home, "sectie")
    child = make_page(section, "kind")
    grandchild = make_page(child, "kleinkind")
    index_changes(elasticsearch)
    assert doc(elasticsearch, grandchild)["restriction"] == [documents.PUBLIC]
    set_restriction(section, "profiles", ["das", "mlp"])
    index_changes(elasticsearch)
    assert doc(elasticsearch, child)["restriction"] == ["das", "mlp"]
    assert doc(elasticsearch, grandchild)["restriction"] == ["das", "mlp"]


def test_a_move_reindexes_the_subtree_under_its_new_restriction(elasticsearch, home):
    secured = Page.objects.get(url_path="/extranet/vertrouwelijk-luik/")
    branch = make_page(home, "tak")
    leaf = make_page(branch, "blad")
    index_changes(elasticsearch)
    Page.objects.get(pk=branch.pk).move(Page.objects.get(pk=secured.pk), pos="last-child")
    index_changes(elasticsearch)
    assert doc(elasticsearch, leaf)["restriction"] == ["vertrouwelijk"]
    assert doc(elasticsearch, leaf)["url"].startswith("/vertrouwelijk-luik/tak/")


def test_deleting_a_section_removes_the_documents_of_its_pages(elasticsearch, home):
    section = make_page(home, "weg-sectie")
    child = make_page(section, "weg-kind")
    index_changes(elasticsearch)
    Page.objects.get(pk=section.pk).delete()
    index_changes(elasticsearch)
    assert doc(elasticsearch, section) is None and doc(elasticsearch, child) is None


def test_publishing_works_while_elasticsearch_is_down_and_the_update_lands_later(elasticsearch, home, settings, client):
    url = settings.EXTRANET_SEARCH_ELASTICSEARCH_URL
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    page = make_page(home, "tijdens-storing")
    assert IndexUpdate.objects.filter(page_id=page.pk).exists()
    with pytest.raises(Exception):
        indexing.process_updates()
    assert IndexUpdate.objects.filter(page_id=page.pk).exists()  # kept for the retry
    response = client.get("/zoeken/", {"q": "storing"})
    assert response.status_code == 503
    assert "Zoeken is tijdelijk niet beschikbaar" in response.content.decode()
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = url
    index_changes(elasticsearch)
    assert not IndexUpdate.objects.exists()
    assert "Tijdens storing" in client.get("/zoeken/", {"q": "storing"}).content.decode()


def test_a_stale_index_never_shows_a_secured_page(elasticsearch, client):
    secured = Page.objects.get(url_path="/extranet/mlp/richtlijnen/handleiding/")
    elasticsearch.update(
        index=documents.alias_name(), id=secured.pk, doc={"restriction": [documents.PUBLIC]}, refresh=True
    )
    html = client.get("/zoeken/", {"q": "handleiding"}).content.decode()
    assert secured.title not in html


def test_the_count_never_includes_hits_a_stale_index_still_holds(elasticsearch, client, home):
    from .test_search_contract import results_part, search, titles

    shown = make_page(home, "telwoord-open")
    secured = make_page(home, "telwoord-dicht")
    index_changes(elasticsearch)
    # Restricted after indexing, the update not yet applied: the index still says public.
    set_restriction(secured, "profiles", ["mlp"])
    html = search(client, "telwoord")
    assert titles(html) == ["Telwoord open"]
    assert "1 resultaat voor ‘telwoord’" in html
    assert "Telwoord dicht" not in html
    # When the re-check drops every hit, the page is that of a word found nowhere.
    set_restriction(shown, "profiles", ["mlp"])
    assert results_part(search(client, "telwoord"), "telwoord") == results_part(search(client, "qzxwvk"), "qzxwvk")


def test_rebuild_swaps_the_alias_to_a_new_complete_index(elasticsearch):
    old = set(elasticsearch.indices.get_alias(name=documents.alias_name()))
    expected = Page.objects.live().filter(depth__gt=1).count()
    call_command("rebuild_search_index", verbosity=0)
    new = set(elasticsearch.indices.get_alias(name=documents.alias_name()))
    assert new and new.isdisjoint(old)
    assert not elasticsearch.indices.exists(index=",".join(old))
    assert elasticsearch.count(index=documents.alias_name())["count"] == expected


def test_drift_is_reported_and_repaired(elasticsearch, home):
    missing = Page.objects.get(url_path="/extranet/das/")
    stale = Page.objects.get(url_path="/extranet/mlp/richtlijnen/")
    elasticsearch.delete(index=documents.alias_name(), id=missing.pk)
    elasticsearch.index(index=documents.alias_name(), id=999999, document={"title": "weg", "restriction": [documents.PUBLIC]})
    elasticsearch.update(index=documents.alias_name(), id=stale.pk, doc={"restriction": [documents.PUBLIC]})
    elasticsearch.indices.refresh(index=documents.alias_name())
    found = indexing.drift()
    assert (found.missing, found.extra, found.stale) == ([missing.pk], [999999], [stale.pk])
    with pytest.raises(CommandError):
        call_command("search_index_drift")
    call_command("search_index_drift", "--repair")
    elasticsearch.indices.refresh(index=documents.alias_name())
    assert not indexing.drift()


def test_a_publish_reaches_the_index_through_a_django_q_task(elasticsearch, home, client, django_capture_on_commit_callbacks):
    # The suite's django-q2 runs tasks in-process (sync); the task is queued on commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = make_page(home, "via-de-werker")
    assert callbacks, "publishing queued no task"
    assert not IndexUpdate.objects.filter(page_id=page.pk).exists()
    elasticsearch.indices.refresh(index=documents.alias_name())
    assert "Via de werker" in client.get("/zoeken/", {"q": "werker"}).content.decode()


def test_match_ids_come_from_page_id_doc_values_without_stored_fields(elasticsearch, django_user_model, monkeypatch):
    user = django_user_model.objects.get(username="multi.partner")
    secured = Page.objects.get(url_path="/extranet/mlp/richtlijnen/handleiding/")
    assert doc(elasticsearch, secured)["page_id"] == secured.pk
    bodies = []
    search = type(elasticsearch).search
    monkeypatch.setattr(type(elasticsearch), "search", lambda es, **kw: bodies.append(kw) or search(es, **kw))
    ids = ElasticsearchBackend().match_ids(user, "richtlijnen", 100)
    assert ids and len(bodies) == 1
    assert bodies[0]["body"]["stored_fields"] == "_none_"
    assert bodies[0]["body"]["docvalue_fields"] == ["page_id"]


def without_page_id(source):
    return {key: value for key, value in source.items() if key != "page_id"}


def test_an_index_without_page_id_still_answers_until_it_is_rebuilt(elasticsearch, login):
    """An index of the code before ``page_id``: its mapping and documents lack the field."""
    from django.test import Client
    from elasticsearch import helpers

    from .test_search_contract import search, titles

    anonymous, partner = Client(), login("mlp.partner")

    def answers():
        queries = ["richtlijnen", "toegang", "handleiding", "dossiers"]
        return [(titles(search(anonymous, q)), titles(search(partner, q))) for q in queries]

    expected, ids = answers(), ElasticsearchBackend().match_ids(AnonymousUser(), "richtlijnen", 100)
    (new,) = elasticsearch.indices.get_alias(name=documents.alias_name())
    body = documents.index_body()
    del body["mappings"]["properties"]["page_id"]
    old = f"{documents.alias_name()}-zonder-page-id"
    elasticsearch.indices.create(index=old, **body)
    for hit in helpers.scan(elasticsearch, index=new):
        elasticsearch.index(index=old, id=hit["_id"], document=without_page_id(hit["_source"]))
    elasticsearch.indices.refresh(index=old)
    elasticsearch.indices.update_aliases(
        actions=[
            {"add": {"index": old, "alias": documents.alias_name()}},
            {"remove": {"index": new, "alias": documents.alias_name()}},
        ]
    )
    assert "page_id" not in elasticsearch.indices.get_mapping(index=old)[old]["mappings"]["properties"]
    assert ElasticsearchBackend().match_ids(AnonymousUser(), "richtlijnen", 100) == ids
    assert answers() == expected
    assert any(found for pair in expected for found in pair)


def test_documents_written_without_page_id_are_still_found(elasticsearch, home):
    """A worker of the code before ``page_id`` writing into a rebuilt index."""
    pages = [make_page(home, f"zonder-veld-{i}") for i in range(3)]
    index_changes(elasticsearch)
    ids = ElasticsearchBackend().match_ids(AnonymousUser(), "veld", 100)
    assert sorted(ids) == sorted(p.pk for p in pages)
    elasticsearch.index(
        index=documents.alias_name(), id=pages[1].pk, document=without_page_id(doc(elasticsearch, pages[1])), refresh=True
    )
    assert "page_id" not in doc(elasticsearch, pages[1])
    assert sorted(ElasticsearchBackend().match_ids(AnonymousUser(), "veld", 100)) == sorted(ids)
