"""Property: for any tree, restrictions and user, the API lists, finds, filters by tree and
searches exactly the live pages the user may read (the oracle of the search property test)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings

from cms.pages.models import HomePage
from cms_extranet.access import user_profiles

from .test_search_property import USERS, WORDS, build, nodes, oracle

pytestmark = pytest.mark.django_db


def ids(client, query):
    response = client.get(f"/api/v2/pages/?limit=100&{query}")
    assert response.status_code == 200, response.content
    data = response.json()
    found = {item["id"] for item in data["items"]}
    assert data["meta"]["total_count"] == len(found)
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=nodes)
def test_the_api_gives_exactly_the_readable_pages(spec):
    home = HomePage.objects.get()
    clients = []
    for name in USERS:
        client, user = Client(), AnonymousUser()
        if name:
            user = get_user_model().objects.get(username=name)
            client.force_login(user)
        clients.append((client, user))
    with transaction.atomic():
        pages, expected = build(spec, home)
        generated = {page.pk for page in pages}
        try:
            for client, user in clients:
                readable = {pages[i].pk for i in oracle(expected, set(user_profiles(user)))}
                assert ids(client, f"descendant_of={home.pk}") & generated == readable
                for i, page in enumerate(pages):
                    response = client.get(f"/api/v2/pages/{page.pk}/")
                    assert response.status_code == (200 if page.pk in readable else 404)
                    children = {pages[j].pk for j, (parent, *_rest) in enumerate(expected) if parent == i}
                    if page.pk in readable:
                        assert ids(client, f"child_of={page.pk}") == children & readable
                    else:
                        assert client.get(f"/api/v2/pages/?child_of={page.pk}").status_code == 400
                for word in WORDS[:2]:
                    want = {pages[i].pk for i in oracle(expected, set(user_profiles(user)), word)}
                    assert ids(client, f"search={word}") == want
        finally:
            transaction.set_rollback(True)
