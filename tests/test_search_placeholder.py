"""The top bar's search box already shows only what the visitor may read."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_finds_public_pages_for_anonymous_and_hides_secured_titles(client):
    html = client.get("/zoeken/", {"q": "richtlijnen"}).content.decode()
    assert "Geen resultaten" in html
    assert "Richtlijnen Mijn Loopbaan" not in html


def test_search_shows_secured_pages_to_holders_of_their_profile(login):
    html = login("mlp.partner").get("/zoeken/", {"q": "richtlijnen"}).content.decode()
    assert "Richtlijnen Mijn Loopbaan voor Partners" in html
    assert "Richtlijnen Digitaal Archief" not in html


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x" * 10_000}, {"q": "\x00\x1b[31m"}, {"q": 'a"b(c'}, {"q": "extranet", "page": "-1"},
     {"q": "extranet", "page": "99999"}, {"q": "extranet", "page": "abc"}],
)
def test_bad_search_input_gives_a_normal_page(client, params):
    assert client.get("/zoeken/", params).status_code == 200
