"""Fuzz: whatever its query parameters hold, the API answers 400 or 404, never 500, and
never shows a secured page or document to an anonymous visitor."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v2/pages/", "/api/v2/documents/", "/api/v2/pages/find/"]
PARAMETERS = [
    "id", "type", "fields", "order", "limit", "offset", "search", "search_operator", "child_of",
    "descendant_of", "ancestor_of", "translation_of", "html_path", "locale", "site", "title",
    "slug", "show_in_menus", "seo_title", "first_published_at", "tags", "collection_id", "xyz",
]
NASTY = ["2147483648", "9" * 25, "-1", "inf", "nan", "1e309", "\x00", "a\x00b", "\x01\x1f", "²", "٣", " 1",
         " ".join(["woord"] * 600), "(" * 300, "", "0", "1.5", "/", "//", "%00"]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.integers().map(str))


def assert_answer(response):
    assert response.status_code != 500
    if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
        assert "Beveiligd" not in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS), query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=3))
def test_no_query_makes_the_api_fail(endpoint, query):
    assert_answer(Client().get(endpoint, query))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS[:2]), pk=values)
def test_no_id_makes_the_detail_view_fail(endpoint, pk):
    assert_answer(Client().get(f"{endpoint}{pk.replace('/', '')}/"))


@pytest.mark.parametrize("parameter", PARAMETERS)
@pytest.mark.parametrize("value", NASTY)
def test_every_nasty_value_is_refused_politely(parameter, value):
    for endpoint in ENDPOINTS:
        assert_answer(Client().get(endpoint, {parameter: value}))
