"""Throughput (issue 16): the site under gunicorn with the production settings, 20 logged-in
partners at once, on SQLite and on PostgreSQL, beside stock Wagtail (`bench/peer_site.py`
as `bench.peer_wsgi`) serving the same pages. Part of `make bench-serve` (`serve_bench.py`).

Per database: a mixed load on this project (pages public and secured, 403s, search, API,
follow toggles, Mailing, feedback), then page views only, on this project and on the peer
in turns (A/B/B/A), the peer with its own copy of the database carrying Wagtail's group
`PageViewRestriction`s on the secured sections.
"""

import importlib.metadata
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Visitor, free_port, run_threads, wait_for_port  # noqa: E402

WORK = ROOT / "var" / "bench-serve"
PASSWORD = os.environ.get("DEMO_PASSWORD", "extranet-demo")
# Demo login: (a secured section it may read, one it may not: the 403s). Three threads share
# each login; each sends one feedback, under the limit of 5 per user in 10 minutes.
USERS = {
    "mlp.partner": ("mlp", "das"),
    "das.partner": ("das", "mlp"),
    "esf.partner": ("esf-rapportering", "vertrouwelijk-luik"),
    "loopbaan.partner": ("loopbaanbegeleiding", "uitbetalingsinstellingen"),
    "vertrouwelijk.arts": ("vertrouwelijk-luik", "esf-rapportering"),
    "uitbetaling.medewerker": ("uitbetalingsinstellingen", "loopbaanbegeleiding"),
    "multi.partner": ("das", "vertrouwelijk-luik"),
}
PUBLIC = ["/", "/alles-over-extranet/", "/hoe-krijg-je-toegang/", "/mails-met-updates/", "/gebruiksvoorwaarden/",
          "/disclaimer/"]
SECURED = ["", "richtlijnen/", "richtlijnen/handleiding/", "nieuws/"]  # below the login's own section
SEARCHES = ["/zoeken/?q=toegang", "/zoeken/?q=richtlijnen", "/zoeken/?q=handleiding"]
API = ["/api/v2/pages/?search=richtlijnen", "/api/v2/pages/?limit=20", "/api/v2/extranet/following/"]
# One round of a partner's mixed load (the feedback comes once, at FEEDBACK_STEP).
MIX = ("public", "secured", "search", "public", "secured", "api", "forbidden", "secured", "follow", "public",
       "search", "secured", "api", "public", "mailing", "secured", "forbidden", "public", "search", "secured")
FEEDBACK_STEP = 10
KINDS = ["page, public", "page, secured", "403", "search", "API", "follow", "Mailing", "feedback form", "feedback"]
PAGE_KINDS = ("page, public", "page, secured")
TURNS = ("ours", "peer", "peer", "ours", "peer", "ours", "ours", "peer")  # page views, A/B interleaved


def percentile(samples, q):
    """Nearest rank: the smallest sample with at least ``q`` of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def figures(records, seconds):
    """{kind: requests, requests/s, p50/p95/p99 in ms, answers by status} of one run."""
    by_kind = defaultdict(list)
    for kind, status, elapsed in records:
        by_kind[kind].append((status, elapsed))
    result = {}
    for kind, answers in by_kind.items():
        times = [elapsed for _, elapsed in answers]
        result[kind] = {
            "requests": len(answers),
            "rate": len(answers) / seconds,
            **{f"p{q}": percentile(times, q / 100) * 1000 for q in (50, 95, 99)},
            "statuses": Counter(status for status, _ in answers),
        }
    return result


# --- The load --------------------------------------------------------------------------

class Run:
    """One timed run over the logged-in partners."""

    def __init__(self, seconds):
        self.seconds, self.records = seconds, []
        self.begin = self.end = None

    def elapsed(self):
        return time.monotonic() - self.begin

    def record(self, kind, status, seconds, path):
        self.records.append((kind, status, seconds))

    def figures(self):
        return figures(self.records, self.end - self.begin)


class Partner:
    """One user of the load on one site: logged in once, its place in the round kept
    from one run to the next."""

    def __init__(self, index, base, login_path="/inloggen/"):
        self.index = self.step = index
        self.username = list(USERS)[index % len(USERS)]
        self.own, self.other = USERS[self.username]
        self.visitor = Visitor(base, lambda *answer: None, https=True, follow_redirects=False)
        self.login_path, self.html, self.feedback_sent = login_path, "", False

    def log_in(self):
        status, _ = self.visitor.log_in(self.username, PASSWORD, path=self.login_path)
        _, self.html = self.visitor.request("/")  # a CSRF token from the start
        return status == 302  # a refused login shows the form again

    def secured_path(self, n):
        return f"/{self.own}/{SECURED[n % len(SECURED)]}"

    def mixed(self, until):
        """This project's mixed load."""
        visitor, mailing = self.visitor, ("daily", "weekly", "never")
        while time.monotonic() < until:
            step = self.step = self.step + 1
            kind = MIX[step % len(MIX)]
            if kind == "public":
                _, self.html = visitor.request(PUBLIC[step % len(PUBLIC)], kind="page, public")
            elif kind == "secured":
                _, self.html = visitor.request(self.secured_path(step), kind="page, secured")
            elif kind == "forbidden":
                visitor.request(f"/{self.other}/", kind="403")
            elif kind == "search":
                visitor.request(SEARCHES[step % len(SEARCHES)], kind="search")
            elif kind == "api":
                visitor.request(API[step % len(API)], kind="API")
            elif kind == "follow":
                visitor.toggle_follow(self.html, kind="follow")
            elif kind == "mailing":
                visitor.request("/profiel/mailing/", {"csrfmiddlewaretoken": visitor.csrf(self.html),
                                                      "mailing": mailing[step % 3]}, "Mailing")
            if not self.feedback_sent and step - self.index >= FEEDBACK_STEP:
                visitor.send_feedback(f"Belasting {self.index}: de pagina's zijn duidelijk.", page=f"/{self.own}/",
                                      form_kind="feedback form")
                self.feedback_sent = True

    def pages(self, until):
        """Page views only: public pages and the login's own secured pages, in turn."""
        while time.monotonic() < until:
            step = self.step = self.step + 1
            if step % 2:
                self.visitor.request(self.secured_path(step // 2), kind="page, secured")
            else:
                self.visitor.request(PUBLIC[step // 2 % len(PUBLIC)], kind="page, public")


def log_in(users, base, login_path="/inloggen/"):
    """``users`` partners logged in to the site at ``base``, all at once."""
    partners = [Partner(i, base, login_path) for i in range(users)]
    refused = []
    threads = [threading.Thread(target=lambda p=p: p.log_in() or refused.append(p.username)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if refused:
        raise SystemExit(f"{base}: logins refused: {Counter(refused)}")
    return partners


def load(partners, action, seconds, desc):
    """Every partner doing ``action`` (Partner.mixed or Partner.pages) for ``seconds``."""
    run = Run(seconds)
    for partner in partners:
        partner.visitor.record = run.record
    run.begin = time.monotonic()
    until = run.begin + seconds
    run_threads([lambda p=p: action(p, until) for p in partners], seconds, desc, run.elapsed)
    run.end = time.monotonic()
    return run


# --- The sites -------------------------------------------------------------------------

def site_env(database_url, settings="cms.settings.production"):
    """The production settings behind a TLS proxy that sets X-Forwarded-Proto."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "VAR_DIR": str(WORK), "DATABASE_URL": database_url,
           "SECRET_KEY": "bench-serve-only", "ALLOWED_HOSTS": "127.0.0.1", "EMAIL_URL": "console://",
           "LOG_LEVEL": "WARNING", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
    env.pop("ELASTICSEARCH_URL", None)
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def stock_restrictions():
    """The peer's database: Wagtail's group restriction on each secured demo section, and the
    demo users in the groups of the profiles they hold. Run by `manage.py shell`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.models import Page, PageViewRestriction

    from cms.pages.demo_content import SECURED_SECTIONS
    from cms_extranet.access import user_profiles

    groups = {}
    for section in SECURED_SECTIONS:
        (code,) = section["profiles"]
        groups[code] = Group.objects.create(name=f"peer-{code}")
        page = Page.objects.get(depth=3, slug=section["slug"])
        restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([groups[code]])
    for user in get_user_model().objects.all():
        user.groups.add(*(groups[code] for code in user_profiles(user) if code in groups))


@contextmanager
def databases(vendor, postgres_url):
    """This project's database and the peer's copy with the demo content; their URLs."""
    tag = f"{os.getpid()}"
    if vendor == "sqlite":
        ours, peer = WORK / f"load-{tag}.sqlite3", WORK / f"load-peer-{tag}.sqlite3"
        urls = f"sqlite:///{ours}", f"sqlite:///{peer}"
        try:
            manage(site_env(urls[0]), "migrate", "--noinput", "-v0")
            manage(site_env(urls[0]), "load_demo_content", "-v0")
            shutil.copyfile(ours, peer)
            yield urls
        finally:
            ours.unlink(missing_ok=True)
            peer.unlink(missing_ok=True)
        return
    import psycopg

    server = postgres_url.rsplit("/", 1)[0]
    names = f"bench_load_{tag}", f"bench_load_peer_{tag}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        try:
            admin.execute(f"CREATE DATABASE {names[0]}")
            ours = f"{server}/{names[0]}"
            manage(site_env(ours), "migrate", "--noinput", "-v0")
            manage(site_env(ours), "load_demo_content", "-v0")
            admin.execute(f"CREATE DATABASE {names[1]} TEMPLATE {names[0]}")
            yield ours, f"{server}/{names[1]}"
        finally:
            for name in names:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def gunicorn(env, app, workers, log):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def database_version(vendor, url):
    if vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url) as connection:
        return f"PostgreSQL {connection.execute('SHOW server_version').fetchone()[0].split()[0]}"


def measure(vendor, postgres_url, seconds, users, workers, warmup):
    """{"mixed": figures, "ours"/"peer": page-view figures, "version": ...} for one database."""
    WORK.mkdir(parents=True, exist_ok=True)
    with databases(vendor, postgres_url) as (ours_db, peer_db), open(WORK / "gunicorn.log", "ab") as log:
        peer_env = site_env(peer_db, settings="bench.peer_settings")
        manage(peer_env, "shell", "-c", "from bench.serve_load import stock_restrictions; stock_restrictions()")
        with gunicorn(site_env(ours_db), "cms.wsgi", workers, log) as ours, \
                gunicorn(peer_env, "bench.peer_wsgi", workers, log) as peer:
            sides = {"ours": log_in(users, ours), "peer": log_in(users, peer, "/_util/login/")}
            for side, partners in sides.items():
                load(partners, Partner.pages, warmup, f"{vendor}: warm-up, {side}")
            mixed = load(sides["ours"], Partner.mixed, seconds, f"{vendor}: mixed load")
            pages = {"ours": [], "peer": []}
            for side in TURNS:
                pages[side].append(load(sides[side], Partner.pages, seconds / (len(TURNS) / 2),
                                        f"{vendor}: page views, {side}"))
    result = {"mixed": mixed.figures(), "version": database_version(vendor, ours_db if vendor == "sqlite" else postgres_url)}
    for side, runs in pages.items():
        records = [record for run in runs for record in run.records]
        result[side] = figures(records, sum(run.end - run.begin for run in runs))
    return result


# --- The report ------------------------------------------------------------------------

def statuses(counter):
    return ", ".join(f"{status}: {n}" for status, n in sorted(counter.items(), key=str))


def page_views(side_figures):
    rows = [side_figures[kind] for kind in PAGE_KINDS if kind in side_figures]
    return sum(row["requests"] for row in rows), sum(row["rate"] for row in rows)


def report(results, seconds, users, workers, machine):
    lines = [
        "## Throughput (`make bench-serve`)",
        "",
        f"Reproduce: `make bench-serve` (the load: about {round(len(results) * (3 * seconds + 60) / 60)} minutes; "
        "`--load-seconds`, `--no-load`). "
        f"Machine: {machine}.",
        f"Setup: gunicorn {importlib.metadata.version('gunicorn')} with {workers} sync workers per site, the "
        "production settings (`cms.settings.production`: DEBUG off, WhiteNoise, CSP, HTTPS behind a proxy: the "
        "load sends `X-Forwarded-Proto: https`), the demo content, no Elasticsearch (the database search). "
        "Workers: as in the README's production command (`--workers`). "
        f"Load: {users} threads in the same machine (stdlib `urllib`, a connection per request, redirects not "
        f"followed), each logged in through the login form as one of the {len(USERS)} demo partners (three threads "
        "per login), no think time.",
        f"Mixed load, {seconds:g} s on this project: public pages and the login's own secured pages, a secured "
        "section of another profile (403), the search view, the API (`/api/v2/pages/` with and without search, "
        "`/api/v2/extranet/following/`), follow toggles (POST), Mailing (POST), and one feedback per thread "
        "(the form, then POST). requests/s: answers of that kind per second of the run.",
        f"Page views against stock Wagtail: the same {users} logins reading public and their own secured pages in "
        f"turn, this project and the peer (`bench/peer_settings.py`, `bench/peer_wsgi.py`: `bench/peer_site.py` "
        "under gunicorn, Wagtail's login form, a group `PageViewRestriction` on each secured section) taking "
        f"{len(TURNS) // 2} turns of {seconds / (len(TURNS) / 2):g} s each ({'/'.join('AB'[s == 'peer'] for s in TURNS)}) after a warm-up; both sites run side by side, each on its own "
        "copy of the database.",
        "",
        "| database | kind | requests | requests/s | p50 ms | p95 ms | p99 ms | answers |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(label, kind, f):
        return (f"| {label} | {kind} | {f['requests']} | {f['rate']:.1f} | {f['p50']:.0f} | {f['p95']:.0f} | "
                f"{f['p99']:.0f} | {statuses(f['statuses'])} |")

    for result in results.values():
        mixed = result["mixed"]
        for kind in KINDS:
            if kind in mixed:
                lines.append(row(result["version"], kind, mixed[kind]))
        total = sum(f["requests"] for f in mixed.values())
        rate = sum(f["rate"] for f in mixed.values())
        lines.append(f"| {result['version']} | **all** | {total} | {rate:.1f} | | | | |")
    lines += ["", "| database | site | kind | requests | requests/s | p50 ms | p95 ms | p99 ms | answers |",
              "|---|---|---|---|---|---|---|---|---|"]
    for result in results.values():
        for side, name in (("ours", "this project"), ("peer", "stock Wagtail")):
            for kind in PAGE_KINDS:
                lines.append(row(f"{result['version']} | {name}", kind, result[side][kind]))
    lines += ["", "| Target | figure | |", "|---|---|---|"]
    for result in results.values():
        (_, ours), (_, peer) = page_views(result["ours"]), page_views(result["peer"])
        ratio = ours / peer
        lines.append(f"| {result['version']}: page views/s ≥ 0.8 × stock Wagtail's | {ours:.1f} vs {peer:.1f}: "
                     f"{ratio:.2f} | {'met' if ratio >= 0.8 else '**missed**'} |")
    return "\n".join(lines) + "\n"
