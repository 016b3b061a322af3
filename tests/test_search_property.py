"""Property: for any tree, restrictions, user and word, each backend finds exactly the
live pages the user may read that contain the word; its total counts exactly those."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.pages.models import ContentPage, HomePage
from cms_extranet.access import user_profiles
from cms_extranet.models import Profile
from search import documents, indexing
from search.backends import DatabaseBackend, ElasticsearchBackend

pytestmark = pytest.mark.django_db

# Made-up words with distinct stems, found in no demo page.
WORDS = ["zandvlo", "kiprot", "merbul", "tosfak", "wulpim", "garnod"]
PROFILES = ["mlp", "das", "esf", "loopbaan", "vertrouwelijk", "uitbetaling"]
USERS = [None, "mlp.partner", "das.auditor", "esf.partner", "vertrouwelijk.arts", "uitbetaling.medewerker", "multi.partner"]

restrictions = st.one_of(
    st.just(("inherit", ())),
    st.just(("public", ())),
    st.tuples(st.just("profiles"), st.sets(st.sampled_from(PROFILES), min_size=1, max_size=3)),
)
nodes = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=100),  # parent: an earlier node, or the home page
        restrictions,
        st.sets(st.sampled_from(WORDS), max_size=3),
        st.booleans().map(lambda draft: not draft) | st.just(True),  # mostly published
    ),
    min_size=1,
    max_size=12,
)


def build(spec, home):
    pages, expected = [], []
    for i, (parent, (restriction, profiles), words, live) in enumerate(spec):
        parent_index = parent % (i + 1) - 1  # -1: the home page
        page = ContentPage(
            title=f"Eigenschapstest {i}",
            slug=f"eigenschap-{i}",
            intro=" ".join(sorted(words)) or "leeg",
            restriction=restriction,
            live=False,
        )
        page.restriction_profiles = list(Profile.objects.filter(code__in=profiles))
        (home if parent_index < 0 else pages[parent_index]).add_child(instance=page)
        if live:
            page.save_revision().publish()
        pages.append(page)
        expected.append((parent_index, restriction, set(profiles), words, live))
    return pages, expected


def oracle(expected, profiles, word=None):
    """Walk up the generated tree: the nearest published page that does not inherit decides
    (a restriction takes effect when its page is published). Without a word: every live
    page the user may read."""
    found = set()
    for i, (_parent, _r, _p, words, live) in enumerate(expected):
        j, rule = i, None
        while j >= 0 and rule is None:
            parent, restriction, allowed, _w, published = expected[j]
            if published and restriction != "inherit":
                rule = restriction == "public" or bool(allowed & profiles)
            j = parent
        if live and (word is None or word in words) and (rule is None or rule):
            found.add(i)
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=nodes)
def test_each_backend_finds_exactly_the_readable_pages_with_the_word(elasticsearch, spec):
    home = HomePage.objects.get()
    users = [AnonymousUser() if name is None else get_user_model().objects.get(username=name) for name in USERS]
    with transaction.atomic():
        pages, expected = build(spec, home)
        indexing.process_updates()
        elasticsearch.indices.refresh(index=documents.alias_name())
        try:
            for user in users:
                profiles = set(user_profiles(user))
                for word in WORDS:
                    want = {pages[i].pk for i in oracle(expected, profiles, word)}
                    for backend in (DatabaseBackend(), ElasticsearchBackend()):
                        matches = backend.search(user, word)
                        assert matches.count() == len(want), (backend.name, user, word)
                        assert {m.page_id for m in matches[0:50]} == want, (backend.name, user, word)
        finally:
            indexing.delete_documents(elasticsearch, [p.pk for p in pages])
            elasticsearch.indices.refresh(index=documents.alias_name())
            transaction.set_rollback(True)
