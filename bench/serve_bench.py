"""Page serving (issue 16): a secured page against its public sibling and against stock
Wagtail serving the same tree with its own `PageViewRestriction` (groups).

Run with `make bench-serve`. In-process, with the production settings, through the full
middleware stack (Django's test Client); SQL queries counted with
`connection.execute_wrapper`. This project and the peer (`bench/peer_site.py`) take turns
(A/B/A/B) on the same database; the figures go to docs/benchmarks.md. Then the throughput
under gunicorn (`bench/serve_load.py`; `--no-load` skips it, `--load-only` runs only it).
"""

import argparse
import atexit
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "bench-serve"
DEPTHS = (2, 8)
SIBLINGS = 3  # leaf pages beside each page of the chains: every page lists sub-pages
PROFILE = "mlp"
PASSWORD = "bench-serve-wachtwoord"

from bench.report import write_section  # noqa: E402
from bench.search_bench import machine, percentiles  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per case and side")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per case before each turn")
    parser.add_argument("--turns", type=int, default=6, help="A/B turns per side; the requests are split over them")
    parser.add_argument("--profile", metavar="FILE", help="write cProfiles of serving a page as the partner, ours to FILE and the peer's to FILE.peer")
    parser.add_argument("--profile-page", default="secured, depth 8", help="the page --profile serves (a row of the table)")
    parser.add_argument("--no-peer", action="store_true", help="this project only, to compare two versions of it (implies --no-docs)")
    parser.add_argument("--no-docs", action="store_true", help="print the table only")
    load = parser.add_argument_group("throughput under gunicorn (bench/serve_load.py)")
    load.add_argument("--load-seconds", type=float, default=60, help="seconds of each load run (the mixed load; the page views per side)")
    load.add_argument("--no-load", action="store_true", help="skip the load under gunicorn")
    load.add_argument("--load-only", action="store_true", help="the load only, not the in-process part")
    load.add_argument("--users", type=int, default=20, help="partners at once")
    load.add_argument("--workers", type=int, default=4, help="gunicorn workers per site (the README's production command)")
    load.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (any database on it) for the load's second leg; "
                      "`make bench-serve` passes a throwaway one from .ci/postgres.sh")
    return parser.parse_args()


def environment():
    """The production settings on a scratch SQLite database (or DATABASE_URL); the static
    files collected once."""
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / f"db-{os.getpid()}.sqlite3"  # runs side by side do not share it
    atexit.register(database.unlink, missing_ok=True)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "VAR_DIR": str(WORK),
        "SECRET_KEY": "bench-serve-only",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_URL": "console://",
        "LOG_LEVEL": "WARNING",
    })
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ.pop("ELASTICSEARCH_URL", None)
    if not (WORK / "static" / "staticfiles.json").exists():
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)


# --- Data -------------------------------------------------------------------------------

def chain(parent, slug, title, depth, **restriction):
    """A section under ``parent`` and a chain of pages below it down to ``depth`` levels
    under the home page, each with a few leaf siblings; {depth: url path}."""
    from wagtail.rich_text import RichText

    from cms.pages.models import ContentPage

    text = "<p>" + "Informatie voor partners over begeleiding en opleiding. " * 12 + "</p>"
    body = [("paragraph", RichText(text))] * 3
    paths, section = {}, None
    page = parent
    for level in range(1, depth + 1):
        kwargs = restriction if level == 1 else {}
        page = page.add_child(instance=ContentPage(
            title=f"{title} niveau {level}", slug=slug if level == 1 else f"niveau-{level}",
            intro="Wat partners hier vinden.", body=body, **kwargs,
        ))
        if kwargs.get("restriction") == "profiles":
            page.restriction_profiles.set(restriction_profiles())
        page.save_revision().publish()
        for n in range(SIBLINGS):
            leaf = page.add_child(instance=ContentPage(title=f"Zijpagina {n}", slug=f"zijpagina-{n}", body=body))
            leaf.save_revision().publish()
        section = section or page
        paths[level] = page.url_path[len(parent.url_path) - 1:]
    return section, paths


def restriction_profiles():
    from cms_extranet.models import Profile

    return Profile.objects.filter(code=PROFILE)


def build():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cms.pages.models import HomePage
    from cms_extranet.models import ApplicationRight, PartnerAccount, UserRight

    home = HomePage.objects.get()
    _, public = chain(home, "bench-openbaar", "Openbaar", max(DEPTHS), restriction="public")
    secured_section, secured = chain(home, "bench-beveiligd", "Beveiligd", max(DEPTHS), restriction="profiles")
    user = get_user_model().objects.create_user("bench.partner", password=PASSWORD, first_name="Bench")
    account = PartnerAccount.objects.create(user=user, mlp_training_followed=True)
    UserRight.objects.create(account=account, right=ApplicationRight.objects.get(code=PROFILE))
    group = Group.objects.create(name=f"bench-{PROFILE}")
    user.groups.add(group)
    cases = []
    for depth in DEPTHS:
        cases.append((f"public, depth {depth}", public[depth]))
    for depth in DEPTHS:
        cases.append((f"secured, depth {depth}", secured[depth]))
    return cases, secured_section, group, user


# --- Measuring --------------------------------------------------------------------------

class QueryCount:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def request(client, path):
    from django.db import connection

    counter = QueryCount()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = time.perf_counter() - start
    return elapsed, counter.n, response.status_code


def turn(clients, cases, results, side, n, warmup, bar):
    """``n`` rounds, each one request per case and visitor: a change in the machine's load
    during the turn falls on every row alike."""
    rows = [(visitor, client, label, path) for visitor, client in clients.items() for label, path in cases]
    for _ in range(warmup):
        for _visitor, client, _label, path in rows:
            request(client, path)
    for _ in range(n):
        for visitor, client, label, path in rows:
            seconds, queries, status = request(client, path)
            figures = results.setdefault((side, label, visitor), {"samples": [], "queries": set(), "status": set()})
            figures["samples"].append(seconds)
            figures["queries"].add(queries)
            figures["status"].add(status)
            bar.update(1)


def summary(figures):
    return percentiles(figures["samples"]) | {
        "queries": "/".join(str(q) for q in sorted(figures["queries"])),
        "status": "/".join(str(s) for s in sorted(figures["status"])),
    }


def profile(client, path, n, filename):
    for _ in range(20):
        client.get(path, secure=True)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(path, secure=True)
    profiler.disable()
    profiler.dump_stats(filename)
    pstats.Stats(filename).sort_stats("cumulative").print_stats(30)


def main():
    args = parse_args()
    environment()
    if not args.load_only:
        in_process(args)
    if not (args.no_load or args.profile):
        throughput(args)


def throughput(args):
    from bench import serve_load

    results = {}
    for vendor in ["sqlite", "postgresql"] if args.postgres else ["sqlite"]:
        results[vendor] = serve_load.measure(vendor, args.postgres, args.load_seconds, args.users, args.workers,
                                             warmup=min(10, args.load_seconds / 2))
    table = serve_load.report(results, args.load_seconds, args.users, args.workers, machine())
    print(table)
    if not args.no_docs:
        write_section("throughput", table)


def in_process(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from tqdm import tqdm
    from wagtail.models import PageViewRestriction

    from cms.pages.models import BasePage

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0, stdout=io.StringIO())
    cases, secured_section, group, user = build()
    def clients_for_one_side():
        """A test Client keeps the middleware it first served with: one set per side."""
        partner = Client()
        partner.force_login(user)
        return {"anonymous": Client(), "partner": partner}

    clients = {"ours": clients_for_one_side(), "peer": clients_for_one_side()}
    if args.profile:
        path = dict(cases)[args.profile_page]
        profile(clients["ours"]["partner"], path, args.requests, args.profile)
        with stock_side(secured_section, group, BasePage):
            profile(clients["peer"]["partner"], path, args.requests, f"{args.profile}.peer")
        return

    sides = {"ours": nullcontext, "peer": lambda: stock_side(secured_section, group, BasePage)}
    per_turn = max(1, args.requests // args.turns)
    results = {}
    order = ["ours"] if args.no_peer else ["ours", "peer"]
    total = len(order) * args.turns * per_turn * len(cases) * len(clients["ours"])
    with tqdm(total=total, desc="pagina's serveren", unit="verzoek") as bar:
        for t in range(args.turns):
            for side in order if t % 2 == 0 else reversed(order):
                with sides[side]():
                    turn(clients[side], cases, results, side, per_turn, args.warmup, bar)
    assert not PageViewRestriction.objects.exists()
    figures = {key: summary(value) for key, value in results.items()}
    if args.no_peer:
        for (_side, label, visitor), f in figures.items():
            print(f"{label}, {visitor}: p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms, queries {f['queries']}, status {f['status']}")
        return
    table = report(args, cases, figures)
    print(table)
    if not args.no_docs:
        write_section("serve", table)


@contextmanager
def stock_side(section, group, page_model):
    """The peer's turn: the secured section carries Wagtail's own group restriction too."""
    from wagtail.models import PageViewRestriction

    from bench.peer_site import stock_wagtail

    restriction = PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([group])
    try:
        with stock_wagtail(page_model):
            yield
    finally:
        restriction.delete()


def report(args, cases, figures):
    from django.db import connection

    def cell(side, label, visitor):
        f = figures[(side, label, visitor)]
        return f"{f['p50']:.1f} / {f['p95']:.1f}", f["queries"], f["status"]

    lines = [
        "## Page serving (`make bench-serve`)",
        "",
        f"Reproduce: `make bench-serve` (about 5 minutes). Machine: {machine()}; {connection.vendor} "
        f"{connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}.",
        "Data: the demo site plus two chains of content pages 8 levels deep under the home page, each "
        f"page with {SIBLINGS} leaf sub-pages (listed on the page) and a body of three paragraphs; one chain "
        f"public, the other secured at its top (profile `{PROFILE}`: the pages below inherit it). The partner "
        f"holds `{PROFILE}` through the MLP right, and for stock Wagtail is in the group of the "
        "`PageViewRestriction` (`groups`) that its turns put on the secured chain.",
        "Timing: in-process through the whole middleware stack (Django's test Client, HTTPS, the production "
        f"settings), {args.requests} requests per row and side, the rows taking turns request by request after "
        f"{args.warmup} warm-up rounds, this project "
        f"and stock Wagtail (`bench/peer_site.py`: `wagtail start`'s middleware, Wagtail's serving hooks and routing, "
        f"sub-pages as `.live().public()`) taking {args.turns} turns each, interleaved. Queries: per request "
        "(`connection.execute_wrapper`), every distinct count seen.",
        "",
        "| page | visitor | this project p50 / p95 ms | queries | status | stock Wagtail p50 / p95 ms | queries | status | ratio p50 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for visitor in ("anonymous", "partner"):
        for label, _path in cases:
            ours, peer = cell("ours", label, visitor), cell("peer", label, visitor)
            ratio = figures[("ours", label, visitor)]["p50"] / figures[("peer", label, visitor)]["p50"]
            lines.append(f"| {label} | {visitor} | {' | '.join(ours)} | {' | '.join(peer)} | {ratio:.2f} |")

    def p50(side, label, visitor="partner"):
        return figures[(side, label, visitor)]["p50"]

    def met(ok):
        return "met" if ok else "**missed**"

    lines += ["", "| Target (partner) | figure | |", "|---|---|---|"]
    for depth in DEPTHS:
        ratio = p50("ours", f"secured, depth {depth}") / p50("ours", f"public, depth {depth}")
        lines.append(f"| secured ≤ 1.2 × public, depth {depth} | {ratio:.2f} | {met(ratio <= 1.2)} |")
    for depth in DEPTHS:
        ratio = p50("ours", f"secured, depth {depth}") / p50("peer", f"secured, depth {depth}")
        lines.append(f"| secured ≤ 1.0 × stock Wagtail's secured, depth {depth} | {ratio:.2f} | {met(ratio <= 1.0)} |")
    for visitor in ("anonymous", "partner"):
        counts = [figures[("ours", f"secured, depth {d}", visitor)]["queries"] for d in DEPTHS]
        lines.append(
            f"| queries of the secured page, depth {DEPTHS[0]} = depth {DEPTHS[1]}, {visitor} | "
            f"{' vs '.join(counts)} | {met(len(set(counts)) == 1)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
