"""Search benchmark (issue 3): trimmed search against stock Wagtail, at 100 000 pages.

Run with `make bench-search`: a throwaway PostgreSQL (.ci/postgres.sh) and Elasticsearch
node (es_node) are started and stopped; the figures go to docs/benchmarks.md.
"""

import argparse
import os
import random
import json
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

PROFILES = ["mlp", "das", "esf", "loopbaan", "vertrouwelijk", "uitbetaling"]
SECTION_SIZE = 500
RESTRICTED_SECTIONS = 60
RESTRICTED_SECTION_SIZE = 83  # 60 sections of 1 + 83 pages: about 5 000 pages
SEPARATE_RESTRICTIONS = 2_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="first size, for the database backend")
    parser.add_argument("--requests", type=int, default=200, help="timed searches per user and shape")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--only",
        choices=["database", "elasticsearch"],
        help="only the database backend (on this process's database), or only Elasticsearch, this project's view "
        "with its time breakdown beside stock Wagtail (its own section of the report)",
    )
    return parser.parse_args()


# --- Text -------------------------------------------------------------------------------

def vocabulary():
    """Dutch words from the seed page and the demo content, most frequent first."""
    from cms.pages import demo_content

    text = " ".join(Path(p).read_text() for p in (ROOT.parent / "shared" / "seed").glob("*.txt"))
    text += " " + Path(demo_content.__file__).read_text()
    counts = {}
    for word in re.findall(r"[a-zà-ÿ]{3,}", text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=counts.get, reverse=True)


class Writer:
    """Sentences of Zipf-distributed words."""

    def __init__(self, words, rng):
        self.words = words
        self.weights = [1 / (rank + 1) for rank in range(len(words))]
        self.rng = rng

    def sentence(self, n):
        words = self.rng.choices(self.words, self.weights, k=n)
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences):
        return " ".join(self.sentence(self.rng.randint(8, 16)) for _ in range(sentences))


# --- Data -------------------------------------------------------------------------------

def body_json(writer):
    import json

    blocks = [
        {"type": "heading", "value": writer.sentence(4)[:-1], "id": str(uuid.uuid4())},
        {"type": "paragraph", "value": f"<p>{writer.paragraph(5)}</p>", "id": str(uuid.uuid4())},
        {"type": "paragraph", "value": f"<p>{writer.paragraph(4)}</p>", "id": str(uuid.uuid4())},
    ]
    return json.dumps(blocks)


class Generator:
    """Writes pages straight into the tables (treebeard paths computed here): minutes, not hours."""

    def __init__(self, writer, rng):
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone
        from wagtail.models import Locale, Page

        from cms.pages.models import ContentPage, HomePage

        self.Page = Page
        self.writer = writer
        self.rng = rng
        self.content_type = ContentType.objects.get_for_model(ContentPage)
        self.locale = Locale.get_default()
        self.now = timezone.now()
        home = HomePage.objects.get()
        self.root = home.add_child(instance=ContentPage(title="Benchmark", slug="benchmark", restriction="public"))
        self.root.save_revision().publish()
        self.children = {}
        self.sections = []
        self.restricted_sections = []
        self.count = 0

    def _page(self, parent, slug):
        n = self.children.get(parent.path, 0) + 1
        self.children[parent.path] = n
        published = self.now - timedelta(days=self.rng.randint(0, 730))
        title = self.writer.sentence(self.rng.randint(3, 7))[:-1]
        return self.Page(
            path=self.Page._get_path(parent.path, parent.depth + 1, n),
            depth=parent.depth + 1,
            numchild=0,
            title=title,
            draft_title=title,
            slug=slug,
            url_path=f"{parent.url_path}{slug}/",
            content_type=self.content_type,
            locale=self.locale,
            live=True,
            first_published_at=published,
            last_published_at=published,
            search_description="",
            seo_title="",
        )

    def _insert(self, pages):
        from django.db import connection, transaction

        from cms.pages.models import ContentPage

        with transaction.atomic():  # one commit, not one a row (SQLite)
            created = self._insert_rows(pages, connection, ContentPage)
        self.count += len(created)
        return created

    def _insert_rows(self, pages, connection, ContentPage):
        created = self.Page.objects.bulk_create(pages, batch_size=2_000)
        table = ContentPage._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (page_ptr_id, restriction, intro, body) VALUES (%s, 'inherit', %s, %s)",
                [(p.pk, self.writer.sentence(15), body_json(self.writer)) for p in created],
            )
        return created

    def section(self, size, progress):
        section = self._insert([self._page(self.root, f"sectie-{len(self.sections) + 1}")])[0]
        self.sections.append(section)
        for start in range(0, size, 1_000):
            batch = [self._page(section, f"pagina-{start + i + 1}") for i in range(min(1_000, size - start))]
            self._insert(batch)
            progress.update(len(batch))
        progress.update(1)
        return section

    def finish(self):
        for path, n in self.children.items():
            self.Page.objects.filter(path=path).update(numchild=n)


def grow(generator, total):
    from tqdm import tqdm

    with tqdm(total=total - generator.count, desc=f"pagina's tot {total}", unit="pagina") as progress:
        while len(generator.restricted_sections) < RESTRICTED_SECTIONS:
            generator.restricted_sections.append(generator.section(RESTRICTED_SECTION_SIZE, progress))
        while generator.count < total:
            generator.section(min(SECTION_SIZE, total - generator.count - 1), progress)
    generator.finish()


def set_restrictions(shape, generator, rng):
    """Shape a: 60 sections (about 5 000 pages); shape b: 2 000 separate pages.

    Written both as this project's PageRestriction and as Wagtail's PageViewRestriction
    with one group per profile, for the peer.
    """
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from cms_extranet.models import PageRestriction, Profile

    PageRestriction.objects.filter(page__path__startswith=generator.root.path).exclude(page=generator.root).delete()
    PageViewRestriction.objects.all().delete()
    if shape == "a":
        page_ids = [s.pk for s in generator.restricted_sections]
    else:
        page_ids = rng.sample(
            list(generator.Page.objects.filter(path__startswith=generator.root.path, depth=generator.root.depth + 2).values_list("pk", flat=True)),
            SEPARATE_RESTRICTIONS,
        )
    profiles = {p.code: p for p in Profile.objects.all()}
    groups = {code: Group.objects.get_or_create(name=f"bench-profiel-{code}")[0] for code in PROFILES}
    chosen = {pk: rng.sample(PROFILES, rng.randint(1, 2)) for pk in page_ids}
    PageRestriction.objects.bulk_create(PageRestriction(page_id=pk, is_public=False) for pk in page_ids)
    PageRestriction.profiles.through.objects.bulk_create(
        PageRestriction.profiles.through(pagerestriction_id=pk, profile_id=profiles[code].pk)
        for pk, codes in chosen.items() for code in codes
    )
    restrictions = PageViewRestriction.objects.bulk_create(
        PageViewRestriction(page_id=pk, restriction_type=PageViewRestriction.GROUPS) for pk in page_ids
    )
    PageViewRestriction.groups.through.objects.bulk_create(
        PageViewRestriction.groups.through(pageviewrestriction_id=r.pk, group_id=groups[code].pk)
        for r in restrictions for code in chosen[r.page_id]
    )


def bench_users():
    """Anonymous, a partner with 1 profile, and one with 3; in the groups of their profiles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser, Group

    from cms_extranet.access import user_profiles
    from cms_extranet.models import ApplicationRight, PartnerAccount, UserRight

    User = get_user_model()
    three, _ = User.objects.get_or_create(username="bench.drie")
    account, _ = PartnerAccount.objects.get_or_create(user=three, defaults={"mlp_training_followed": True})
    for code in ("mlp", "das", "esf"):
        UserRight.objects.get_or_create(account=account, right=ApplicationRight.objects.get(code=code))
    users = {"anoniem": AnonymousUser(), "1 profiel": User.objects.get(username="das.partner"), "3 profielen": three}
    for user in users.values():
        if user.is_authenticated:
            user.groups.set(Group.objects.filter(name__in=[f"bench-profiel-{c}" for c in user_profiles(user)]))
    return users


# --- Measuring --------------------------------------------------------------------------

def percentiles(samples):
    samples = sorted(samples)
    return {
        "p50": statistics.median(samples) * 1000,
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)] * 1000,
    }


def fresh_user(user):
    """A user object as a new request gets it: nothing memoised from the previous one."""
    from django.contrib.auth import get_user_model

    if not user.is_authenticated:
        return user
    return get_user_model().objects.prefetch_related("groups").get(pk=user.pk)


def time_view(view, users, queries, n, label, parts=None):
    """p50 and p95 of the view per user; with ``parts`` (a Parts), of each part too."""
    from django.test import RequestFactory
    from tqdm import tqdm

    factory = RequestFactory()
    figures = {}
    for name, user in users.items():
        samples, errors, split = [], 0, {}
        for i in tqdm(range(n + 20), desc=f"{label}: {name}", unit="zoekopdracht", leave=False):
            request = factory.get("/zoeken/", {"q": queries[i % len(queries)]})
            request.user = fresh_user(user)
            if parts:
                parts.reset()
            start = time.perf_counter()
            try:
                response = view(request)
                rendered = time.perf_counter()
                if hasattr(response, "render"):
                    response.render()
                ok = response.status_code == 200
            except Exception:
                ok, rendered = False, time.perf_counter()
            end = time.perf_counter()
            if i >= 20:  # warm-up
                samples.append(end - start)
                errors += not ok
                if parts:
                    for part, seconds in (parts.seconds() | {"render": end - rendered}).items():
                        split.setdefault(part, []).append(seconds)
        figures[name] = percentiles(samples) | {"errors": errors}
        if parts:
            figures[name]["parts"] = {part: percentiles(values) for part, values in split.items()}
    return figures


class Parts:
    """Times the parts of this project's search view by wrapping them for the run:
    Elasticsearch (its own ``took`` and the client's round trips), the re-check of the match
    ids against ``readable_pages`` (``Matches.readable_ids`` less its Elasticsearch request),
    and ``present`` (the shown pages and their readable breadcrumbs). Rendering is timed by
    ``time_view``."""

    def __init__(self):
        from elasticsearch import Elasticsearch

        from search import backends, views

        self.reset()
        search, readable_ids, present = Elasticsearch.search, backends.Matches.readable_ids, views.present

        def timed_search(es, *args, **kwargs):
            start = time.perf_counter()
            response = search(es, *args, **kwargs)
            self.es += time.perf_counter() - start
            self.took += response.body.get("took", 0) / 1000
            return response

        def timed_readable_ids(matches):
            start, es = time.perf_counter(), self.es
            try:
                return readable_ids(matches)
            finally:
                self.recheck += time.perf_counter() - start - (self.es - es)

        def timed_present(*args, **kwargs):
            start = time.perf_counter()
            try:
                return present(*args, **kwargs)
            finally:
                self.present += time.perf_counter() - start

        Elasticsearch.search = timed_search
        backends.Matches.readable_ids = timed_readable_ids
        views.present = timed_present

    def reset(self):
        self.es = self.took = self.recheck = self.present = 0.0

    def seconds(self):
        return {"took": self.took, "es": self.es, "recheck": self.recheck, "present": self.present}


def our_view():
    from search.views import SearchView

    return SearchView.as_view()


def peer_view(backend_name):
    """Stock Wagtail: its Elasticsearch backend, Page.objects.live() narrowed the way
    PageQuerySet.public() does (one path clause per restriction), keeping the restrictions
    that PageViewRestriction.accept_request lets this user through."""
    from django.core.paginator import Paginator
    from django.db.models import Q
    from django.template.response import TemplateResponse
    from wagtail.models import Page, PageViewRestriction
    from wagtail.search.backends import get_search_backend

    from search.views import Result

    backend = get_search_backend(backend_name)

    def view(request):
        denied = Q()
        for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
            if not restriction.accept_request(request):
                denied |= Q(path__startswith=restriction.page.path)
        pages = Page.objects.live().exclude(denied) if denied else Page.objects.live()
        query = request.GET["q"]
        page_obj = Paginator(backend.search(query, pages, operator="and"), 10).get_page(1)
        results = [Result(p.title, p.get_url(request), "", [], p.last_published_at) for p in page_obj]
        context = {"search_query": query, "page_obj": page_obj, "results": results}
        return TemplateResponse(request, "extranet_search/search.html", context)

    return view


def search_queries(words, rng):
    common, rare = words[:60], words[60:400]
    queries = [rng.choice(common) for _ in range(20)] + [rng.choice(rare) for _ in range(20)]
    queries += [f"{rng.choice(common)} {rng.choice(rare)}" for _ in range(10)]
    rng.shuffle(queries)
    return queries


def publish_to_searchable(samples=5):
    """Seconds from publish() returning to the page being found, with a real qcluster."""
    from django.contrib.auth.models import AnonymousUser

    from cms.pages.models import ContentPage, HomePage
    from search.backends import ElasticsearchBackend

    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        time.sleep(5)
        home = HomePage.objects.get()
        figures = []
        for i in range(samples):
            word = f"versheidstest{uuid.uuid4().hex[:8]}"
            page = home.add_child(instance=ContentPage(title=f"Nieuw {word}", slug=f"nieuw-{word}", intro=word))
            start = time.perf_counter()
            page.save_revision().publish()
            while ElasticsearchBackend().search(AnonymousUser(), word).count() == 0:
                if time.perf_counter() - start > 30:
                    break
                time.sleep(0.02)
            figures.append(time.perf_counter() - start)
        return figures
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def save(results, name="bench-search.json"):
    """Figures so far, in case a later step fails."""
    path = ROOT / "var" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


SQLITE_FILE = ROOT / "var" / "bench-search.sqlite3"


def main():
    args = parse_args()
    if os.environ.get("BENCH_SQLITE_CHILD"):
        django.setup()
        rng, generator = setup(random.Random(3))
        save(database_part(args, rng, generator, search_queries(vocabulary(), rng)), "bench-search-sqlite.json")
        return
    if args.only == "database":
        django.setup()
        rng, generator = setup(random.Random(3))
        results = database_part(args, rng, generator, search_queries(vocabulary(), rng))
        results["sqlite"] = finish_sqlite_part(start_sqlite_part(args))
        save(results)
        write_database_report(args, results)
        return
    from es_node import Node

    node = None
    if not os.environ.get("ELASTICSEARCH_URL"):
        node = Node(heap="1g")
        os.environ["ELASTICSEARCH_URL"] = node.start()
    os.environ.setdefault("SEARCH_INDEX_ALIAS", "bench-pages")
    try:
        run_elasticsearch(args) if args.only == "elasticsearch" else run(args)
    finally:
        if node:
            node.stop()


def start_sqlite_part(args):
    """The database backend on a scratch SQLite file, in a process of its own (its own
    settings), once PostgreSQL's part is done: each database has the cores to itself."""
    SQLITE_FILE.parent.mkdir(exist_ok=True)
    for path in SQLITE_FILE.parent.glob(SQLITE_FILE.name + "*"):
        path.unlink()
    env = os.environ.copy() | {"DATABASE_URL": f"sqlite:///{SQLITE_FILE}", "ELASTICSEARCH_URL": "", "BENCH_SQLITE_CHILD": "1"}
    command = [sys.executable, __file__, "--pages", str(args.pages), "--small", str(args.small), "--requests", str(args.requests)]
    return subprocess.Popen(command, env=env)


def finish_sqlite_part(child):
    if child.wait() != 0:
        raise SystemExit("the SQLite part failed")
    results = json.loads((ROOT / "var" / "bench-search-sqlite.json").read_text())
    for path in SQLITE_FILE.parent.glob(SQLITE_FILE.name + "*"):
        path.unlink()
    return results


def database_part(args, rng, generator, queries):
    """The database backend at the small size and then the full size (shape a): index build
    time and the search view, on this process's database."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from search.backends import compact_database_index

    settings.DEBUG = False
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL, saved = "", settings.EXTRANET_SEARCH_ELASTICSEARCH_URL
    results = {"vendor": connection.vendor}
    for size in (args.small, args.pages):
        grow(generator, size)
        set_restrictions("a", generator, rng)
        users = bench_users()
        seconds, _ = timed(call_command, "update_index", backend_name="default", verbosity=0)
        results[f"db-index-{size}"] = seconds
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load
        results[f"db-{size}"] = time_view(our_view(), users, queries, args.requests // 2, f"{connection.vendor} {size}")
        tqdm.write(f"database backend ({connection.vendor}) at {size}: {results[f'db-{size}']}")
        if connection.vendor == "postgresql" and size == args.pages:
            # What rebuild_search_index does after update_index: update_index writes every
            # entry three times, and the table stays three times its rows until compacted.
            results["db-compaction"], _ = timed(compact_database_index)
            results[f"db-{size}-compact"] = time_view(our_view(), users, queries, args.requests // 2, f"compacted {size}")
            tqdm.write(f"database backend (compacted) at {size}: {results[f'db-{size}-compact']}")
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = saved
    return results


def setup(rng):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    return rng, Generator(Writer(vocabulary(), rng), rng)


def add_peer_backend(settings):
    """Stock Wagtail's Elasticsearch backend beside ours, on the same node."""
    settings.DEBUG = False
    settings.WAGTAILSEARCH_BACKENDS["peer"] = {
        "BACKEND": "bench.peer_backend",
        "URLS": [settings.EXTRANET_SEARCH_ELASTICSEARCH_URL],
        "INDEX": "bench-peer",
        "AUTO_UPDATE": False,
        "TIMEOUT": 30,
    }


def run(args):
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from tqdm import tqdm

    from search import indexing
    from search.documents import client

    add_peer_backend(settings)
    rng, generator = setup(random.Random(3))
    queries = search_queries(vocabulary(), rng)
    report = {"queries": queries}
    results = database_part(args, rng, generator, queries)
    results["sqlite"] = finish_sqlite_part(start_sqlite_part(args))
    save(results)

    es = client(timeout=120)
    seconds, _ = timed(call_command, "update_index", backend_name="peer", verbosity=0)
    results["peer-index"] = seconds
    for shape in ("a", "b"):
        set_restrictions(shape, generator, rng)
        users = bench_users()
        with tqdm(total=generator.Page.objects.live().filter(depth__gt=1).count(), desc=f"rebuild {shape}", unit="pagina") as progress:
            seconds, (_name, count) = timed(indexing.rebuild, progress=progress)
        results[f"rebuild-{shape}"] = (seconds, count)
        es.indices.refresh(index=settings.EXTRANET_SEARCH_INDEX_ALIAS)
        results[f"ours-{shape}"] = time_view(our_view(), users, queries, args.requests, f"ours {shape}")
        results[f"peer-{shape}"] = time_view(peer_view("peer"), users, queries, args.requests, f"peer {shape}")
        save(results)
        tqdm.write(f"shape {shape}: ours {results[f'ours-{shape}']} peer {results[f'peer-{shape}']}")
    results["freshness"] = publish_to_searchable()
    save(results)
    report["results"] = results
    write_report(args, report, generator)


def run_elasticsearch(args):
    """This project's Elasticsearch view, in parts, beside stock Wagtail, in both shapes."""
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from tqdm import tqdm

    from search import indexing
    from search.documents import client

    add_peer_backend(settings)
    rng, generator = setup(random.Random(3))
    queries = search_queries(vocabulary(), rng)
    grow(generator, args.pages)
    es = client(timeout=120)
    results = {"queries": queries, "pages": generator.count + 1}
    seconds, _ = timed(call_command, "update_index", backend_name="peer", verbosity=0)
    results["peer-index"] = seconds
    parts = Parts()
    for shape in ("a", "b"):
        set_restrictions(shape, generator, rng)
        users = bench_users()
        with tqdm(total=generator.Page.objects.live().filter(depth__gt=1).count(), desc=f"rebuild {shape}", unit="pagina") as progress:
            seconds, (_name, count) = timed(indexing.rebuild, progress=progress)
        results[f"rebuild-{shape}"] = (seconds, count)
        es.indices.refresh(index=settings.EXTRANET_SEARCH_INDEX_ALIAS)
        results[f"ours-{shape}"] = time_view(our_view(), users, queries, args.requests, f"ours {shape}", parts)
        results[f"peer-{shape}"] = time_view(peer_view("peer"), users, queries, args.requests, f"peer {shape}")
        results[f"ids-{shape}"] = ids_request(users, queries)
        save(results, "bench-search-elasticsearch.json")
        tqdm.write(f"shape {shape}: ours {results[f'ours-{shape}']} peer {results[f'peer-{shape}']} ids {results[f'ids-{shape}']}")
    write_elasticsearch_report(args, results)


def ids_request(users, queries, rounds=3):
    """The request for all match ids (at most 10 000) as before issue 16 (``_id``, a stored
    field) and as now (``page_id`` doc values): Elasticsearch's ``took``; and the database
    re-check of those ids with ``pk IN (...)`` and with ``pk = ANY(array)``."""
    from django.contrib.auth.models import AnonymousUser

    from cms_extranet.access import readable_pages
    from search.backends import MAX_WINDOW, ElasticsearchBackend, _pages, with_ids

    backend, user = ElasticsearchBackend(), AnonymousUser()
    took = {"_id": [], "page_id": []}
    recheck = {"IN": [], "ANY": [], "rows": []}
    sizes = []
    for _ in range(rounds):
        for query in queries:
            old = backend.query(user, query).source(False).extra(track_total_hits=False)
            old = old.params(filter_path="took,hits.hits._id")[:MAX_WINDOW].execute().to_dict()
            took["_id"].append(old["took"] / 1000)
            new = backend.query(user, query).extra(
                stored_fields="_none_", docvalue_fields=["page_id"], track_total_hits=MAX_WINDOW
            )
            new = new.params(filter_path="took,hits.hits.fields.page_id")[:MAX_WINDOW].execute().to_dict()
            took["page_id"].append(new["took"] / 1000)
            ids = [hit["fields"]["page_id"][0] for hit in new.get("hits", {}).get("hits", [])]
            sizes.append(len(ids))
            for label, pages in (("IN", _pages().live().filter(pk__in=ids)), ("ANY", with_ids(_pages().live(), ids))):
                start = time.perf_counter()
                readable_pages(user, list(pages.only("pk", "path", "alias_of_id")))
                recheck[label].append(time.perf_counter() - start)
            start = time.perf_counter()
            rows = with_ids(_pages().live(), ids).values_list("pk", "path", "alias_of_id", named=True)
            readable_pages(user, list(rows))
            recheck["rows"].append(time.perf_counter() - start)
    return {
        "ids p50": statistics.median(sizes),
        "ids max": max(sizes),
        "took": {k: percentiles(v) for k, v in took.items()},
        "recheck": {k: percentiles(v) for k, v in recheck.items()},
    }


# The view's previous run (5 December, before the database search's rework shared its checking
# with this view): kept for comparison, row for row as that run wrote them.
EARLIER_ELASTICSEARCH = [
    "| this project, earlier run | a | anonymous | 34.1 / 45.7 | 8.0 / 16.0 | 14.9 / 24.5 | 8.8 / 13.7 | 3.7 / 6.5 | 5.0 / 7.7 | 34.0 / 47.2 | 0 |",
    "| this project, earlier run | a | 1 profile | 35.5 / 47.2 | 7.0 / 12.0 | 14.0 / 21.2 | 11.1 / 16.5 | 3.7 / 7.6 | 5.2 / 7.3 | 28.2 / 40.0 | 0 |",
    "| this project, earlier run | a | 3 profiles | 34.9 / 47.8 | 7.0 / 12.0 | 13.1 / 20.0 | 11.3 / 15.9 | 3.7 / 6.7 | 5.3 / 7.6 | 24.4 / 33.2 | 0 |",
    "| this project, earlier run | b | anonymous | 36.1 / 49.5 | 5.0 / 8.0 | 11.5 / 18.0 | 11.4 / 16.4 | 5.3 / 8.4 | 6.1 / 9.1 | 664.4 / 845.8 | 0 |",
    "| this project, earlier run | b | 1 profile | 42.9 / 56.6 | 6.0 / 12.0 | 13.2 / 20.8 | 15.4 / 20.6 | 5.3 / 8.3 | 6.3 / 9.6 | 531.7 / 619.7 | 0 |",
    "| this project, earlier run | b | 3 profiles | 45.8 / 60.8 | 6.0 / 12.0 | 13.8 / 22.4 | 16.7 / 22.2 | 6.0 / 8.1 | 7.4 / 10.4 | 516.4 / 676.0 | 0 |",
]


def write_elasticsearch_report(args, r):
    from django.db import connection

    from es_node import ES_VERSION

    users = ("anoniem", "1 profiel", "3 profielen")
    names = {"anoniem": "anonymous", "1 profiel": "1 profile", "3 profielen": "3 profiles"}
    lines = [
        "## Search: Elasticsearch (issue 16)",
        "",
        "Reproduce: `.ci/postgres.sh .venv/bin/python bench/search_bench.py --only elasticsearch` "
        "(starts a throwaway PostgreSQL and Elasticsearch node).",
        "",
        f"Machine: {machine()}, shared with other work during the run (figures are noisier than a quiet "
        f"machine's); PostgreSQL {connection.pg_version // 10000}, Elasticsearch {ES_VERSION} "
        "(test distribution, 1 GB heap, single node).",
        f"Data: {r['pages']:,} pages, the shapes of issue 3 (a: {RESTRICTED_SECTIONS} restricted sections; "
        f"b: {SEPARATE_RESTRICTIONS:,} separately restricted pages). Timing as in issue 3: {args.requests} searches "
        f"per user after 20 warm-up searches, cycling over {len(r['queries'])} queries.",
        "",
        "| Search view, ms, p50 / p95 | shape | user | total | Elasticsearch `took` | Elasticsearch round trips | "
        "re-check | present (pages, breadcrumbs) | rendering | stock Wagtail total | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(f):
        return f"{f['p50']:.1f} / {f['p95']:.1f}"

    lines += EARLIER_ELASTICSEARCH
    for shape in ("a", "b"):
        for user in users:
            ours, peer = r[f"ours-{shape}"][user], r[f"peer-{shape}"][user]
            p = ours["parts"]
            lines.append(
                f"| this project | {shape} | {names[user]} | {cell(ours)} | {cell(p['took'])} | {cell(p['es'])} | "
                f"{cell(p['recheck'])} | {cell(p['present'])} | {cell(p['render'])} | {cell(peer)} | "
                f"{ours['errors'] + peer['errors']} |"
            )
    lines += [
        "",
        "Each part's p50 and p95 are taken over the searches on their own: they do not add up to the total's.",
        "\"Elasticsearch round trips\" is the client's time for the view's two requests (all match ids, then the "
        "shown page's snippets), `took` included.",
        "",
        "| All match ids (at most 10 000), anonymous, ms, p50 / p95 | shape | matches p50 / max | "
        "`took`, `_id` (before) | `took`, `page_id` doc values (now) | re-check, `pk IN (...)`, pages (before) | "
        "re-check, `pk = ANY(array)`, pages | re-check, `pk = ANY(array)`, rows (now) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for shape in ("a", "b"):
        ids = r[f"ids-{shape}"]
        lines.append(
            f"| | {shape} | {ids['ids p50']:,.0f} / {ids['ids max']:,} | {cell(ids['took']['_id'])} | "
            f"{cell(ids['took']['page_id'])} | {cell(ids['recheck']['IN'])} | {cell(ids['recheck']['ANY'])} | "
            f"{cell(ids['recheck']['rows'])} |"
        )
    lines += [
        "",
        f"Rebuild: {r['rebuild-a'][0]:.1f} s (shape a) and {r['rebuild-b'][0]:.1f} s (shape b) for "
        f"{r['rebuild-a'][1]:,} pages; stock Wagtail `update_index`: {r['peer-index']:.1f} s.",
    ]
    replace_section(args.output, r"## Search: Elasticsearch \(issue 16\)", lines)


def machine():
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) // 1024 ** 2
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, Python {platform.python_version()}"


def write_report(args, report, generator):
    from django.db import connection

    from es_node import ES_VERSION

    r = report["results"]
    lines = [
        "## Search (issue 3)",
        "",
        "Reproduce: `make bench-search` (about 20 minutes; starts a throwaway PostgreSQL and Elasticsearch node).",
        "",
        f"Machine: {machine()}; PostgreSQL {connection.pg_version // 10000 if connection.vendor == 'postgresql' else connection.vendor}, "
        f"Elasticsearch {ES_VERSION} (test distribution, 1 GB heap, single node).",
        f"Data: {generator.count + 1:,} generated pages of Dutch text (about 150 words each) under the demo site; "
        f"shape a: {RESTRICTED_SECTIONS} restricted sections covering about {RESTRICTED_SECTIONS * (RESTRICTED_SECTION_SIZE + 1):,} pages; "
        f"shape b: {SEPARATE_RESTRICTIONS:,} separately restricted pages.",
        f"Timing: the search view in-process (Django RequestFactory, template rendered), {args.requests} searches per user "
        f"after 20 warm-up searches, cycling over {len(report['queries'])} queries (common words, rare words, pairs).",
        "",
        "| Search view, ms | shape | anonymous p50 / p95 | 1 profile p50 / p95 | 3 profiles p50 / p95 | errors |",
        "|---|---|---|---|---|---|",
    ]

    def row(label, shape, figures):
        cells = [f"{figures[u]['p50']:.1f} / {figures[u]['p95']:.1f}" for u in ("anoniem", "1 profiel", "3 profielen")]
        errors = sum(figures[u]["errors"] for u in figures)
        return f"| {label} | {shape} | " + " | ".join(cells) + f" | {errors} |"

    for shape in ("a", "b"):
        lines.append(row("this project, Elasticsearch", shape, r[f"ours-{shape}"]))
        lines.append(row("stock Wagtail (peer)", shape, r[f"peer-{shape}"]))
    fresh = r["freshness"]
    lines += [
        "",
        "| Other | figure |",
        "|---|---|",
        f"| full rebuild, shape a | {r['rebuild-a'][0]:.1f} s for {r['rebuild-a'][1]:,} pages |",
        f"| full rebuild, shape b | {r['rebuild-b'][0]:.1f} s for {r['rebuild-b'][1]:,} pages |",
        f"| publish to searchable (qcluster running), {len(fresh)} pages | median {statistics.median(fresh):.2f} s, max {max(fresh):.2f} s |",
        f"| stock Wagtail `update_index` into Elasticsearch | {r['peer-index']:.1f} s |",
        "",
    ]
    replace_section(args.output, r"## Search \(issue 3\)", lines)
    write_database_report(args, r)


def replace_section(output, heading, lines):
    """The section under ``heading`` replaced in place, up to the next section or marker
    (hand-written sections and other benchmarks' markers stay); appended when new."""
    output = Path(output)
    text = output.read_text() if output.exists() else "# Benchmarks\n\n"
    section = "\n".join(lines).rstrip() + "\n"
    pattern = heading + r".*?(?=\n## |\n<!-- |\Z)"
    if re.search(pattern, text, flags=re.S):
        text = re.sub(pattern, lambda m: section, text, count=1, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(section)


# The database backend before issue 16 (PostgreSQL 15, `make bench-search` of issue 3).
OLD_DATABASE = {
    10_000: ("96.1 / 105.4", "121.7 / 138.7", "134.4 / 151.1", "13.8 s"),
    100_000: ("486.4 / 859.5", "508.0 / 922.2", "500.7 / 967.3", "156.1 s"),
}


# Earlier runs of this part in issue 16 (same command): the first two with 50 searches per
# user on a machine shared with other benchmarks; the last the code of 5 December, as now,
# with the compaction done by hand.
EARLIER_DATABASE = {
    10_000: {
        "all matches counted, PostgreSQL": ("173.7 / 323.3", "183.4 / 300.8", "197.6 / 298.6", "87.0 s"),
        "all matches counted, SQLite": ("212.9 / 364.9", "240.2 / 379.9", "227.9 / 447.9", "33.2 s"),
        "counted to 1 000, each match tested for the user, PostgreSQL": ("51.9 / 103.3", "58.4 / 113.5", "75.7 / 118.0", "22.0 s"),
        "counted to 1 000, each match tested for the user, SQLite": ("55.1 / 103.0", "49.0 / 98.0", "38.4 / 95.2", "6.9 s"),
        "ranked in the index, checked after (5 December), PostgreSQL": ("21.6 / 46.1", "23.6 / 46.8", "24.0 / 46.9", "14.2 s"),
        "ranked in the index, checked after (5 December), SQLite": ("23.8 / 45.8", "23.9 / 49.6", "22.5 / 43.0", "4.7 s"),
    },
    100_000: {
        "all matches counted, PostgreSQL": ("895.4 / 1887.2", "604.9 / 1667.2", "569.9 / 1716.2", "586.5 s"),
        "all matches counted, SQLite": ("747.4 / 1735.8", "1036.8 / 2850.0", "966.6 / 3090.2", "264.1 s"),
        "counted to 1 000, each match tested for the user, PostgreSQL": ("320.4 / 553.8", "222.8 / 509.5", "178.8 / 460.8", "260.7 s"),
        "counted to 1 000, each match tested for the user, SQLite": ("150.0 / 340.4", "186.4 / 479.8", "166.7 / 405.5", "192.9 s"),
        "ranked in the index, checked after (5 December), PostgreSQL": ("70.3 / 166.3", "81.7 / 198.2", "75.7 / 179.3", "159.5 s"),
        "ranked in the index, checked after (5 December), PostgreSQL, index table compacted": (
            "70.6 / 121.4", "76.4 / 132.9", "78.6 / 136.4", "159.5 s",
        ),
        "ranked in the index, checked after (5 December), SQLite": ("71.2 / 140.0", "74.1 / 151.2", "72.8 / 152.3", "105.0 s"),
    },
}


def write_database_report(args, r):
    from django.db import connection

    lines = [
        "## Search: the database backend (issue 16)",
        "",
        "Reproduce: `make bench-search` (the database part alone: "
        "`.ci/postgres.sh .venv/bin/python bench/search_bench.py --only database`).",
        "",
        f"Machine: {machine()}; PostgreSQL {connection.pg_version // 10000} (`.ci/postgres.sh`) and SQLite "
        f"{sqlite3.sqlite_version} (a scratch file in `var/`), each in a process of its own, one after the other.",
        "Data: shape a of the section above (60 restricted sections, each also a Wagtail view restriction for the peer), "
        f"at {args.small:,} pages and then at {args.pages:,}; Wagtail's database index built with `update_index`, "
        "then `VACUUM ANALYZE` on PostgreSQL (until 5 December: `ANALYZE`); at the full size once more with "
        "Wagtail's index table compacted (`VACUUM FULL`) as `rebuild_search_index` leaves it after `update_index`.",
        f"Timing: as above, {args.requests // 2} searches per user after 20 warm-up searches. "
        "Before: the figures of issue 3 (PostgreSQL only; SQLite was not measured); then those of issue 16 with all "
        "matches counted, and counted to 1 000 with each match tested for the user (both with the two databases "
        "measured at once).",
        "",
        "| Search view, ms, p50 / p95 | pages | anonymous | 1 profile | 3 profiles | errors | index build (`update_index`) |",
        "|---|---|---|---|---|---|---|",
    ]
    users = ("anoniem", "1 profiel", "3 profielen")
    for size in (args.small, args.pages):
        old = OLD_DATABASE.get(size)
        if old:
            lines.append(f"| before, PostgreSQL | {size:,} | " + " | ".join(old[:3]) + f" | 0 | {old[3]} |")
        for label, earlier in EARLIER_DATABASE.get(size, {}).items():
            lines.append(f"| issue 16, {label} | {size:,} | " + " | ".join(earlier[:3]) + f" | 0 | {earlier[3]} |")
        rows = [("PostgreSQL", r, f"db-{size}"), ("SQLite", r["sqlite"], f"db-{size}")]
        if f"db-{size}-compact" in r:
            rows.insert(1, ("PostgreSQL, after `rebuild_search_index` (index table compacted)", r, f"db-{size}-compact"))
        for label, figures, key in rows:
            f = figures[key]
            cells = [f"{f[u]['p50']:.1f} / {f[u]['p95']:.1f}" for u in users]
            errors = sum(f[u]["errors"] for u in users)
            build = f"{figures[f'db-index-{size}']:.1f} s"
            if key.endswith("-compact"):
                build += f" + {figures['db-compaction']:.1f} s compaction"
            lines.append(f"| now, {label} | {size:,} | " + " | ".join(cells) + f" | {errors} | {build} |")
    lines.append("")
    lines.append("What the figures mean: the section \"Search: the database backend, reading the figures\" below.")
    replace_section(args.output, r"## Search: the database backend \(issue 16\)", lines)


if __name__ == "__main__":
    main()
