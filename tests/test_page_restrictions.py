"""Restriction inheritance (SPEC §4) and the readable-pages queryset."""

import random
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms_extranet.access import (
    RestrictionTree,
    TreePaths,
    effective_restriction,
    readable_breadcrumbs,
    readable_pages,
)
from cms_extranet.models import PartnerAccount, Profile, ProfileGrant

from .conftest import make_page, set_restriction

pytestmark = pytest.mark.django_db


def user_with(django_user_model, username, *codes):
    """A user holding exactly these profiles, through approved grants of requestable ones."""
    user = django_user_model.objects.create_user(username)
    account = PartnerAccount.objects.create(user=user)
    Profile.objects.filter(code__in=codes).update(requestable=True, request_condition="")
    for profile in Profile.objects.filter(code__in=codes):
        ProfileGrant.objects.create(account=account, profile=profile)
    return django_user_model.objects.get(pk=user.pk)


def test_page_inherits_its_nearest_restricted_ancestor(home, client, login):
    section = make_page(home, "sectie", "profiles", ["esf"])
    child = make_page(section, "kind")
    grandchild = make_page(child, "kleinkind")
    assert client.get(grandchild.url).status_code == 302
    assert effective_restriction(grandchild).source_page_id == section.pk
    assert login("esf.partner").get(grandchild.url).status_code == 200


def test_override_on_a_child_replaces_the_parents_profiles(home, login):
    section = make_page(home, "sectie", "profiles", ["esf"])
    child = make_page(section, "kind", "profiles", ["das"])
    leaf = make_page(child, "blad")
    client = login("esf.partner")
    assert client.get(section.url).status_code == 200
    assert client.get(leaf.url).status_code == 403
    assert login("das.partner").get(leaf.url).status_code == 200


def test_public_page_inside_a_secured_section_and_secured_below_it(home, client):
    section = make_page(home, "sectie", "profiles", ["esf"])
    public = make_page(section, "publiek", "public")
    below_public = make_page(public, "eronder")
    secured_again = make_page(public, "weer-beveiligd", "profiles", ["das"])
    assert client.get(section.url).status_code == 302
    assert client.get(public.url).status_code == 200
    assert client.get(below_public.url).status_code == 200
    assert client.get(secured_again.url).status_code == 302


def test_moving_a_page_into_and_out_of_a_secured_section(home, client):
    section = make_page(home, "sectie", "profiles", ["esf"])
    open_area = make_page(home, "open")
    page = make_page(open_area, "verhuisd")
    below = make_page(page, "eronder")
    assert client.get(below.url).status_code == 200
    Page.objects.get(pk=page.pk).move(Page.objects.get(pk=section.pk), pos="last-child")
    below.refresh_from_db()
    assert client.get(below.url).status_code == 302
    assert below.pk not in readable_pages(AnonymousUser()).values_list("pk", flat=True)
    Page.objects.get(pk=page.pk).move(Page.objects.get(pk=open_area.pk), pos="last-child")
    below.refresh_from_db()
    assert client.get(below.url).status_code == 200


def test_changing_an_ancestors_restriction_changes_the_whole_subtree(home, client, login):
    section = make_page(home, "sectie")
    leaf = make_page(make_page(section, "kind"), "blad")
    assert client.get(leaf.url).status_code == 200
    set_restriction(section, "profiles", ["loopbaan"])
    assert client.get(leaf.url).status_code == 302
    assert login("loopbaan.partner").get(leaf.url).status_code == 200
    set_restriction(section, "inherit")
    client.logout()
    assert client.get(leaf.url).status_code == 200


def test_draft_restriction_change_applies_only_when_published(home, client):
    page = make_page(home, "concept")
    page.restriction = "profiles"
    page.restriction_profiles = list(Profile.objects.filter(code="mlp"))
    revision = page.save_revision()
    assert client.get(page.url).status_code == 200
    revision.publish()
    assert client.get(page.url).status_code == 302


def test_deleting_a_restricted_section_leaves_no_restriction_behind(home):
    section = make_page(home, "sectie", "profiles", ["esf"])
    path = section.path
    section.delete()
    assert effective_restriction(Page(path=path + "0001")).is_public


def readable_by_walking_ancestors(tree, codes):
    """An oracle written apart from the app: from each page of ``tree``, walk up to the
    nearest non-inherit page. The pks it finds readable (every page loaded once)."""
    by_path = {page.path: page for page in Page.objects.specific()}
    profiles = {}

    def readable(path):
        for length in range(len(path), 0, -Page.steplen):
            ancestor = by_path[path[:length]]
            restriction = getattr(ancestor, "restriction", "inherit")
            if restriction == "public":
                return True
            if restriction == "profiles":
                if ancestor.pk not in profiles:
                    profiles[ancestor.pk] = {p.code for p in ancestor.restriction_profiles.all()}
                return bool(profiles[ancestor.pk] & codes)
        return True

    return {page.pk for page in tree if readable(page.path)}


@pytest.mark.parametrize("seed", range(6))
def test_readable_pages_match_the_nearest_restriction_in_random_trees(home, django_user_model, seed):
    rng = random.Random(seed)
    codes = ["mlp", "das", "esf", "loopbaan"]
    pages = [home]
    for i in range(40):
        parent = rng.choice(pages)
        kind = rng.choice(["inherit", "inherit", "inherit", "public", "profiles"])
        chosen = rng.sample(codes, rng.randint(1, 2)) if kind == "profiles" else []
        pages.append(make_page(parent, f"p{seed}-{i}", kind, chosen))
    tree = Page.objects.descendant_of(home, inclusive=True)
    for held in [set(), {"mlp"}, {"das", "esf"}, set(codes)]:
        user = user_with(django_user_model, f"u{seed}-{len(held)}", *held) if held else AnonymousUser()
        got = set(readable_pages(user, tree).values_list("pk", flat=True))
        want = readable_by_walking_ancestors(tree, held)
        assert got == want, held


def build_chain(parent, depth, prefix):
    """A chain of pages `depth` deep, restricted at every other level, with a sibling at each."""
    pages = []
    for level in range(depth):
        kind = ["profiles", "public", "inherit"][level % 3]
        chosen = [["mlp", "das", "esf"][level % 3]] if kind == "profiles" else []
        parent = make_page(parent, f"{prefix}-{level}", kind, chosen)
        make_page(parent, f"{prefix}-{level}-zijtak", "profiles", ["vertrouwelijk"])
        pages.append(parent)
    return pages


@pytest.mark.parametrize("username", [None, "multi.partner"])
def test_readable_pages_take_the_same_queries_at_depth_2_and_depth_8(
    home, django_user_model, username
):
    shallow = build_chain(make_page(home, "ondiep"), 2, "o")
    deep = build_chain(make_page(home, "diep"), 8, "d")
    counts = []
    for chain in (shallow, deep):
        for cold in (True, False):  # with the restriction tree loaded, then cached
            if cold:
                RestrictionTree._cached = (object(), None)
            user = django_user_model.objects.get(username=username) if username else AnonymousUser()
            with CaptureQueriesContext(connection) as queries:
                readable = list(readable_pages(user, Page.objects.descendant_of(chain[0], inclusive=True)))
            assert readable  # the chain's top is readable, so this is a real answer
            counts.append(len(queries))
    assert counts[0:2] == counts[2:4]
    # Warm: the version, the user's account, rights and grants, the hidden aliases, the
    # pages; cold adds the restrictions and Wagtail's view restrictions.
    assert counts[0] <= 8 and counts[1] <= 6



@pytest.mark.parametrize("username", [None, "multi.partner"])
def test_readable_breadcrumbs_take_the_same_queries_at_depth_2_and_depth_8(home, django_user_model, username):
    shallow = build_chain(make_page(home, "ondiep"), 2, "o")
    deep = build_chain(make_page(home, "diep"), 8, "d")
    user = django_user_model.objects.get(username=username) if username else AnonymousUser()
    readable_pages(user, [])  # the user's profiles and the restriction tree, as in a request
    counts = []
    for chain in (shallow, deep):
        leaves = [Page.objects.get(pk=page.pk) for page in chain[-2:]]
        with CaptureQueriesContext(connection) as queries:
            breadcrumbs = readable_breadcrumbs(user, leaves)
        assert breadcrumbs[leaves[-1].pk]  # the home page at least: a real answer
        counts.append(len(queries))
    # The restriction version and the ancestors, whatever their number.
    assert counts == [2, 2]

def test_the_cached_restriction_tree_follows_changes_rollbacks_and_moves(home, client, login):
    page = make_page(home, "cachetest")
    assert client.get(page.url).status_code == 200  # the tree is now cached
    with transaction.atomic():
        set_restriction(page, "profiles", ["mlp"])
        assert client.get(page.url).status_code == 302
        transaction.set_rollback(True)
    assert client.get(page.url).status_code == 200  # the rolled-back tree is not reused
    page = set_restriction(Page.objects.get(pk=page.pk), "profiles", ["das"])
    assert client.get(page.url).status_code == 302
    das = login("das.partner")
    assert das.get(page.url).status_code == 200
    # Moved under the MLP section, the page keeps its own DAS restriction at its new path.
    Page.objects.get(pk=page.pk).move(Page.objects.get(url_path="/extranet/mlp/"), pos="last-child")
    assert das.get(Page.objects.get(pk=page.pk).url).status_code == 200


# Per request, warm. Anonymous: the site, the home page, the pages on the path, the served
# page, the restriction version, the sub-pages and the footer's settings (the login redirect
# stops before the last two). The partner adds the session, the user, their profiles (one
# query), whether they follow the page and Wagtail's user bar (the user's permissions, two).
SERVING_QUERIES = {
    None: {"public": (7, 200), "secured": (5, 302)},
    "multi.partner": {"public": (13, 200), "secured": (13, 200)},
    "das.partner": {"secured": (10, 403)},  # the 403 page: the profiles it needs instead
}


@pytest.mark.parametrize("username", [None, "multi.partner", "das.partner"])
def test_serving_a_page_takes_the_same_queries_at_depth_2_and_depth_8(home, client, login, username):
    """Routing, the restriction check, sub-pages and breadcrumbs: constant in depth, and no
    more than counted here (das.partner is denied the secured pages: the 403 page)."""
    visitor = login(username) if username else client
    counts = {}
    for depth in (2, 8):
        chain = build_chain(make_page(home, f"serveer-{depth}"), depth, f"s{depth}")
        public = next(page for page in reversed(chain) if effective_restriction(page).is_public)
        secured = next(page for page in reversed(chain) if not effective_restriction(page).is_public)
        for kind, page in (("public", public), ("secured", secured)):
            visitor.get(page.url)  # the restriction tree and the site cached
            with CaptureQueriesContext(connection) as queries:
                status = visitor.get(page.url).status_code
            counts[(kind, depth)] = (len(queries), status)
            assert not any("wagtailcore_pageviewrestriction" in q["sql"] for q in queries)
    assert counts[("public", 2)] == counts[("public", 8)]
    assert counts[("secured", 2)] == counts[("secured", 8)]
    for kind, expected in SERVING_QUERIES[username].items():
        assert counts[(kind, 2)] == expected


def test_breadcrumbs_of_a_served_page_are_its_readable_ancestors_in_order(home, login):
    """Routing's pages give the breadcrumbs without a query of their own; they are still
    every ancestor below the root, root first, that the user may read."""
    section = make_page(home, "kruimels", "profiles", ["das"])
    public = make_page(section, "openbaar", "public")
    leaf = make_page(make_page(public, "tussen"), "blad")

    def trail(username):
        html = login(username).get(leaf.url).content.decode()
        return html[html.index('class="breadcrumb"'):html.index('aria-current="page"')]

    hrefs = lambda html: re.findall(r'href="([^"]+)"', html)  # noqa: E731
    assert hrefs(trail("das.partner")) == ["/", "/kruimels/", "/kruimels/openbaar/", "/kruimels/openbaar/tussen/"]
    assert hrefs(trail("esf.partner")) == ["/", "/kruimels/openbaar/", "/kruimels/openbaar/tussen/"]
    assert "Kruimels" not in trail("esf.partner")


def test_routing_keeps_wagtails_answers(home, client):
    section = make_page(home, "route")
    draft = make_page(section, "concept")
    child = make_page(draft, "kind")
    draft.unpublish()
    assert client.get("/route/concept/kind/").status_code == 200  # as Wagtail: a draft on the way
    assert client.get("/route/concept/").status_code == 404
    assert client.get("/route/bestaat-niet/kind/").status_code == 404
    assert client.get("/route/kind/").status_code == 404  # a slug one level too high
    assert child.url == "/route/concept/kind/"


def test_a_page_type_with_its_own_routing_takes_over_on_the_way(home, client, monkeypatch):
    from wagtail.url_routing import RouteResult

    from cms.pages.models import BasePage, ContentPage

    section = make_page(home, "eigen-route")
    page = make_page(section, "routeert-zelf")
    seen = []

    def own_route(self, request, path_components):  # as a RoutablePageMixin would
        if self.pk != page.pk:
            return BasePage.route(self, request, path_components)
        seen.append(list(path_components))
        return RouteResult(self)

    monkeypatch.setattr(ContentPage, "route", own_route)
    assert client.get("/eigen-route/routeert-zelf/virtueel/pad/").status_code == 200
    assert seen == [["virtueel", "pad"]]
    assert client.get("/eigen-route/bestaat-niet/").status_code == 404


def test_tree_paths_cover_exactly_the_paths_under_them():
    rng = random.Random(16)

    def path():
        return "".join(rng.choice(["0001", "0002", "0003"]) for _ in range(rng.randint(1, 5)))

    for _ in range(200):
        denied = [path() for _ in range(rng.randint(0, 6))]
        paths = TreePaths(denied)
        for candidate in (path() for _ in range(30)):
            assert paths.cover(candidate) == any(candidate.startswith(d) for d in denied), (candidate, denied)
