"""Digest benchmark: a full daily run at 50 000 users, 500 000 follows, 10 000 changed pages.

Run with `make bench-digests`: a throwaway PostgreSQL (.ci/postgres.sh) is started and
stopped. The data is written straight into the tables; claim and build then run in a fresh
process (its peak memory and SQL queries counted), first for a smaller number of users to
show that the queries grow with the batches, then for all of them; the outbox is sent to a
local SMTP server (aiosmtpd) running in a process of its own. The figures go to
docs/benchmarks.md.
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

PROFILES = ["mlp", "das", "esf", "loopbaan", "vertrouwelijk", "uitbetaling"]
# Rights that give a profile, and how often a partner holds one (SPEC §3).
PROFILE_RIGHTS = {"mlp": 35, "das": 20, "esf": 10, "loopbaancheques": 10, "loopbaancentrum": 5, "vertrouwelijk": 8}
ORGANISATIONS = 400
PUBLIC_IN_SECTION = 2  # public pages inside each secured section
SEPARATE_EVERY = 40  # one page in this many in a public section is secured on its own
FIRST_NAMES = ["Marie", "Jonas", "Sofie", "Pieter", "Emma", "Lucas", "An", "Louise", "Tom", "Noah", "Lotte", "Ruben", "Elise", "Wout", "Fien", "Arne"]
LAST_NAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Lambrechts", "Vermeulen", "Hermans"]
SEED_FILE = ROOT / "var" / "bench-digests-seed.json"
RESULTS_FILE = ROOT / "var" / "bench-digests.json"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=10_000, help="users of the first run, to compare queries per batch")
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--follows", type=int, default=10, help="followed pages per user")
    parser.add_argument("--changed", type=int, default=10_000, help="pages with a change in the period")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run on this database (development)")
    parser.add_argument("--builders", type=int, default=2, help="builder processes of the parallel build")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections of the parallel send")
    parser.add_argument("--phase", choices=["all", "build", "builder", "send", "sender", "smtp"], default="all", help=argparse.SUPPRESS)
    parser.add_argument("--moment", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


# --- Seeding ----------------------------------------------------------------------------

def copy_rows(model, fields, rows, total, desc):
    """COPY rows (tuples in the order of ``fields``) into the model's table."""
    from django.db import connection
    from tqdm import tqdm

    columns = ", ".join(model._meta.get_field(f).column for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in tqdm(rows, total=total, desc=desc, unit="rij", mininterval=0.5):
            copy.write_row(row)


def seed_pages(args, rng):
    """The search benchmark's generator: sections of Dutch pages under the demo site, some
    secured with one or two profiles, a few public pages inside them, and pages secured on
    their own inside the public sections."""
    from search_bench import Generator, Writer, grow, vocabulary

    from cms.pages.models import ContentPage
    from cms_extranet.models import PageRestriction, Profile, RestrictionVersion

    writer = Writer(vocabulary(), rng)
    generator = Generator(writer, rng)
    grow(generator, args.pages)
    Page = generator.Page
    secured_sections = {s.pk for s in generator.restricted_sections}
    rules = {}  # page pk: profile codes, or None for public
    for section in generator.restricted_sections:
        rules[section.pk] = rng.sample(PROFILES, rng.randint(1, 2))
        children = list(Page.objects.filter(path__startswith=section.path, depth=section.depth + 1).values_list("pk", flat=True))
        for pk in rng.sample(children, PUBLIC_IN_SECTION):
            rules[pk] = None
    for section in generator.sections:
        if section.pk in secured_sections:
            continue
        children = list(Page.objects.filter(path__startswith=section.path, depth=section.depth + 1).values_list("pk", flat=True))
        for pk in rng.sample(children, len(children) // SEPARATE_EVERY):
            rules[pk] = [rng.choice(PROFILES)]
    profiles = {p.code: p for p in Profile.objects.all()}
    PageRestriction.objects.bulk_create(PageRestriction(page_id=pk, is_public=codes is None) for pk, codes in rules.items())
    PageRestriction.profiles.through.objects.bulk_create(
        PageRestriction.profiles.through(pagerestriction_id=pk, profile_id=profiles[code].pk)
        for pk, codes in rules.items() for code in codes or ()
    )
    # The pages' own fields say the same, as if an editor had set them.
    for restriction in ("public", "profiles"):
        ContentPage.objects.filter(pk__in=[pk for pk, codes in rules.items() if (codes is None) == (restriction == "public")]).update(restriction=restriction)
    ContentPage.restriction_profiles.through.objects.bulk_create(
        ContentPage.restriction_profiles.through(contentpage_id=pk, profile_id=profiles[code].pk)
        for pk, codes in rules.items() for code in codes or ()
    )
    RestrictionVersion.bump()
    pages = list(Page.objects.filter(path__startswith=generator.root.path, depth__gt=generator.root.depth).values_list("pk", "path"))
    return writer, generator, pages, rules


def seed_users(args, rng, now):
    """Organisations and vestigingen; users with a PartnerAccount, application rights,
    approved profile requests, and a daily mailing. A few have no e-mail address or are
    inactive."""
    from django.contrib.auth import get_user_model

    from cms_extranet.follow.models import MailingPreference
    from cms_extranet.models import ApplicationRight, Organisation, PartnerAccount, Profile, ProfileGrant, UserRight, Vestiging

    User = get_user_model()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Benchmarkpartner {i + 1}",
            registers_in_mlp=rng.random() < 0.4,
            is_uitbetalingsinstelling=rng.random() < 0.05,
            registers_career_cheques=rng.random() < 0.15,
        )
        for i in range(ORGANISATIONS)
    )
    vestigingen = Vestiging.objects.bulk_create(
        Vestiging(organisation=o, name=f"Vestiging {j + 1}", uitbetaling_access=o.is_uitbetalingsinstelling and rng.random() < 0.7)
        for o in organisations for j in range(rng.randint(1, 4))
    )
    names = [f"bench.{i + 1:05d}" for i in range(args.users)]
    flags = {name: (rng.random() >= 0.005, rng.random() >= 0.01) for name in names}  # (has e-mail, active)
    copy_rows(
        User,
        ["password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"],
        (
            ("!", False, name, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), f"{name}@example.be" if flags[name][0] else "", False, flags[name][1], now)
            for name in names
        ),
        len(names), "gebruikers",
    )
    user_ids = dict(User.objects.filter(username__startswith="bench.").values_list("username", "pk"))
    ids = [user_ids[name] for name in names]
    vestiging_of = {pk: rng.choice(vestigingen) for pk in ids}
    copy_rows(
        PartnerAccount,
        ["user", "vestiging", "is_administrator", "is_auditor", "mlp_training_followed"],
        ((pk, vestiging_of[pk].pk, False, rng.random() < 0.03, rng.random() < 0.85) for pk in ids),
        len(ids), "partneraccounts",
    )
    accounts = dict(PartnerAccount.objects.filter(user_id__in=ids).values_list("user_id", "pk"))
    rights = {r.code: r.pk for r in ApplicationRight.objects.all()}
    profiles = {p.code: p.pk for p in Profile.objects.all()}
    user_rights, grants = [], []
    for pk in ids:
        held = {"mijn-vdab"}
        held.update(rng.choices(list(PROFILE_RIGHTS), list(PROFILE_RIGHTS.values()), k=1 if rng.random() < 0.75 else 2))
        user_rights += [(accounts[pk], rights[code], now) for code in held]
        vestiging = vestiging_of[pk]
        wanted = []
        if rng.random() < 0.05:
            wanted.append("loopbaan")
        if vestiging.organisation.registers_in_mlp and rng.random() < 0.05:
            wanted.append("mlp")
        if vestiging.organisation.is_uitbetalingsinstelling and rng.random() < 0.6:
            wanted.append("uitbetaling")
        grants += [(accounts[pk], profiles[code], now) for code in wanted]
    copy_rows(UserRight, ["account", "right", "granted_at"], user_rights, len(user_rights), "toepassingsrechten")
    copy_rows(ProfileGrant, ["account", "profile", "approved_at"], grants, len(grants), "toegekende profielen")
    copy_rows(MailingPreference, ["user", "mailing"], ((pk, "daily") for pk in ids), len(ids), "mailingvoorkeuren")
    return ids


def profiles_of(user_ids):
    """{user pk: profile codes}, worked out by the extranet's own load_profiles."""
    from django.contrib.auth import get_user_model

    from cms_extranet.access import load_profiles, user_profiles

    User = get_user_model()
    result = {}
    for start in range(0, len(user_ids), 5_000):
        users = list(User.objects.filter(pk__in=user_ids[start : start + 5_000]))
        load_profiles(users)
        result.update((u.pk, user_profiles(u)) for u in users)
    return result


def seed_follows(args, rng, ids, pages, changed, now):
    """``args.follows`` pages per user, drawn from the pages the user may read, Zipf-skewed
    towards popular pages; 2% of users ("quiet") follow only pages that did not change.
    Then 3% of users lose their profile-giving rights, so that some of what they follow is
    no longer theirs to read."""
    from cms_extranet.access import RestrictionTree
    from cms_extranet.follow.models import Follow
    from cms_extranet.models import ApplicationRight, PartnerAccount, UserRight

    tree = RestrictionTree.load()
    popularity = {pk: 1 / (rank + 1) for rank, (pk, _path) in enumerate(rng.sample(pages, len(pages)))}
    held = profiles_of(ids)
    pools = {}

    def pool(codes, quiet):
        if (codes, quiet) not in pools:
            chosen = [pk for pk, path in pages if tree.effective(path).allows(codes) and not (quiet and pk in changed)]
            weights, total = [], 0
            for pk in chosen:
                total += popularity[pk]
                weights.append(total)
            pools[codes, quiet] = (chosen, weights)
        return pools[codes, quiet]

    quiet = set(rng.sample(ids, len(ids) // 50))
    rows = []
    for pk in ids:
        chosen, weights = pool(held[pk], pk in quiet)
        followed = set()
        while len(followed) < args.follows:
            followed.update(rng.choices(chosen, cum_weights=weights, k=args.follows - len(followed)))
        rows += [(pk, page, now) for page in followed]
    copy_rows(Follow, ["user", "page", "created_at"], rows, len(rows), "gevolgde pagina's")
    withdrawn = rng.sample(sorted(set(ids) - quiet), len(ids) * 3 // 100)
    UserRight.objects.filter(
        account__in=PartnerAccount.objects.filter(user_id__in=withdrawn),
        right__in=ApplicationRight.objects.filter(profile__isnull=False),
    ).delete()
    return quiet, withdrawn, len(rows)


def seed_changes(args, rng, writer, pages, window_start, window_end):
    """``args.changed`` pages with one to three changes in the window (some minor, some
    with a note; at least one not minor), pages with only minor changes, changes from the
    day before the window (read only by users whose last digest is older) and after it."""
    from cms_extranet.follow.models import PageChange

    def at(start, span):
        return start + timedelta(seconds=rng.uniform(0, span.total_seconds()))

    def note():
        return writer.sentence(rng.randint(4, 12))[:300] if rng.random() < 0.3 else ""

    day = window_end - window_start
    ids = [pk for pk, _path in pages]
    changed = set(rng.sample(ids, args.changed))
    others = [pk for pk in ids if pk not in changed]
    rows = []
    for pk in changed:
        n = rng.choices([1, 2, 3], [70, 20, 10])[0]
        minor = [rng.random() < 0.2 for _ in range(n)]
        minor[rng.randrange(n)] = False
        rows += [(pk, at(window_start, day), m, "" if m else note()) for m in minor]
    rows += [(pk, at(window_start, day), True, "") for pk in rng.sample(others, len(others) // 10)]
    rows += [(pk, at(window_start - day, day), False, note()) for pk in rng.sample(ids, len(ids) // 7)]
    rows += [(pk, at(window_end, timedelta(hours=1)), False, note()) for pk in rng.sample(ids, len(ids) // 40)]
    copy_rows(PageChange, ["page", "published_at", "minor", "note"], rows, len(rows), "paginawijzigingen")
    return changed, len(rows)


def seed_history(rng, ids, period, window_start):
    """Earlier digests, sent: most users had yesterday's; 2% last had one two days ago
    (their window is two days long); 8% never had one (one period back)."""
    from cms_extranet.follow.models import Digest

    fields = [f for f in Digest._meta.concrete_fields if not f.primary_key]
    rows, older, new = [], [], []
    for pk in ids:
        draw = rng.random()
        if draw < 0.08:
            new.append(pk)
            continue
        back = 1 if draw < 0.98 else 2
        if back == 2:
            older.append(pk)
        end = window_start - timedelta(days=back - 1)
        values = {
            "user": pk, "frequency": "daily", "period": period - timedelta(days=back),
            "window_start": end - timedelta(days=1), "window_end": end, "status": "sent",
            "claimed_at": end, "built_at": end, "sent_at": end + timedelta(minutes=5),
        }
        rows.append(tuple(values[f.name] if f.name in values else f.get_default() for f in fields))
    copy_rows(Digest, [f.name for f in fields], rows, len(rows), "eerdere digests")
    return older, new


def unpublish_some(rng, changed, n=20):
    """Unpublished since their change: no one may read them any more."""
    from wagtail.models import Page

    pages = rng.sample(sorted(changed), n)
    Page.objects.filter(pk__in=pages).update(live=False)
    return pages


def seed(args, rng, moment):
    from django.db import connection
    from django.utils import timezone

    from cms_extranet.follow import digests

    period, window_end = digests.period_of("daily", moment)
    window_start = window_end - timedelta(days=1)
    now = timezone.now()
    started = time.perf_counter()
    writer, generator, pages, rules = seed_pages(args, rng)
    ids = seed_users(args, rng, now)
    changed, change_rows = seed_changes(args, rng, writer, pages, window_start, window_end)
    quiet, withdrawn, follow_rows = seed_follows(args, rng, ids, pages, changed, now)
    older, new = seed_history(rng, ids, period, window_start)
    unpublished = unpublish_some(rng, changed)
    from cms_extranet.access import RestrictionTree

    tree = RestrictionTree.load()
    secured_pages = sum(1 for _pk, path in pages if not tree.effective(path).is_public)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    info = {
        "moment": moment.isoformat(),
        "pages": len(pages),
        "restrictions": len(rules),
        "secured": sum(1 for codes in rules.values() if codes),
        "secured_sections": len(generator.restricted_sections),
        "secured_pages": secured_pages,
        "users": len(ids),
        "user_ids": ids,
        "follows": follow_rows,
        "changed": len(changed),
        "change_rows": change_rows,
        "quiet": sorted(quiet),
        "withdrawn": sorted(withdrawn),
        "older": older,
        "new": new,
        "unpublished": unpublished,
        "seconds": time.perf_counter() - started,
    }
    SEED_FILE.parent.mkdir(exist_ok=True)
    SEED_FILE.write_text(json.dumps(info))
    return info


# --- Measured phases, each in a fresh process -------------------------------------------

class QueryCounter:
    def __init__(self):
        self.phase = None
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[self.phase] += 1
        return execute(sql, params, many, context)


def memory_mb(key):
    """VmHWM (peak resident set) or VmRSS of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return None


def phase_build(args):
    """Claim and build the period's digests, as a run does; queries, seconds, peak memory."""
    django.setup()
    from django.conf import settings
    from django.db import connection
    from tqdm import tqdm

    from cms_extranet.follow import digests
    from cms_extranet.follow.models import Digest

    settings.DEBUG = False
    period, window_end = digests.period_of("daily", datetime.fromisoformat(args.moment))
    due = digests.due_users("daily", period).count()
    counter = QueryCounter()
    rendering = [0.0]
    render = getattr(digests, "render_to_string", None)
    if render is not None:  # the time spent rendering the two mail templates

        def timed_render(*args, **kwargs):
            start = time.perf_counter()
            try:
                return render(*args, **kwargs)
            finally:
                rendering[0] += time.perf_counter() - start

        digests.render_to_string = timed_render
    rss_before = memory_mb("VmRSS")
    seconds = {}
    builders = int(os.environ.get("BENCH_BUILDERS", "1"))
    if builders > 1:
        return parallel_build(args, builders, period, window_end, due, counter, rss_before)
    with connection.execute_wrapper(counter):
        for step, function in (
            ("claim", lambda progress: digests.claim("daily", period, window_end, progress=progress)),
            ("build", lambda progress: digests.build("daily", period, progress=progress)),
        ):
            counter.phase = step
            with tqdm(total=due, desc=f"{step} ({due:,} gebruikers)", unit="digest") as bar:
                profile = os.environ.get("BENCH_PROFILE")  # a path: cProfile the build (slower)
                start = time.perf_counter()
                if profile and step == "build":
                    import cProfile

                    profiler = cProfile.Profile()
                    count = profiler.runcall(function, bar.update)
                    profiler.dump_stats(profile)
                else:
                    count = function(bar.update)
                seconds[step] = (time.perf_counter() - start, count)
    statuses = Counter()
    for status, reason in Digest.objects.filter(frequency="daily", period=period).values_list("status", "reason"):
        statuses[f"{status}: {reason}" if reason else status] += 1
    result = {
        "due": due,
        "batch_size": digests.BATCH_SIZE,
        "seconds": seconds,
        "queries": dict(counter.counts),
        "rendering": rendering[0] if render is not None else None,
        "rss_before_mb": rss_before,
        "peak_mb": memory_mb("VmHWM"),
        "statuses": dict(statuses),
    }
    Path(args.json).write_text(json.dumps(result))


def parallel_build(args, builders, period, window_end, due, counter, rss_before):
    """Claim here, then build in ``builders`` processes at once (started and set up before
    the claim, so that their start is off the clock); the build's time runs from the first
    builder's start to the last one's end."""
    from django.db import connection

    from cms_extranet.follow import digests
    from cms_extranet.follow.models import Digest

    counter.phase = "claim"

    def claim():
        nonlocal claim_seconds, claimed
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            claimed = digests.claim("daily", period, window_end)
            claim_seconds = time.perf_counter() - start

    claim_seconds = claimed = None
    parts = together("builder", args.moment, builders, before=claim)
    statuses = Counter()
    for status, reason in Digest.objects.filter(frequency="daily", period=period).values_list("status", "reason"):
        statuses[f"{status}: {reason}" if reason else status] += 1
    result = {
        "due": due,
        "builders": builders,
        "batch_size": digests.BATCH_SIZE,
        "seconds": {
            "claim": [claim_seconds, claimed],
            "build": [max(p["end"] for p in parts) - min(p["start"] for p in parts), sum(p["built"] for p in parts)],
        },
        "per_builder": [[p["end"] - p["start"], p["built"]] for p in parts],
        "queries": {"claim": counter.counts["claim"], "build": sum(p["queries"] for p in parts)},
        "rendering": None,
        "rss_before_mb": rss_before,
        "peak_mb": max(p["peak_mb"] for p in parts),
        "statuses": dict(statuses),
    }
    Path(args.json).write_text(json.dumps(result))


def together(phase, moment, count, env=None, before=None):
    """Run ``count`` children of ``phase`` at once: each sets up, says "ready" and starts
    on "go" (after ``before``, if given), so that their start-up is off the clock; their
    JSON results."""
    paths = [ROOT / "var" / f"bench-digests-{phase}{i}.json" for i in range(count)]
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--phase", phase, "--moment", moment, "--json", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, **(env or {})},
        )
        for path in paths
    ]
    for child_process in children:
        assert child_process.stdout.readline().strip() == "ready"
    if before:
        before()
    for child_process in children:
        child_process.stdin.write("go\n")
        child_process.stdin.flush()
    for child_process in children:
        assert child_process.wait() == 0
    return [json.loads(path.read_text()) for path in paths]


def phase_builder(args):
    """One builder of the parallel build: set up, say ready, build on "go"."""
    django.setup()
    from django.conf import settings
    from django.db import connection

    from cms_extranet.follow import digests

    settings.DEBUG = False
    period, _end = digests.period_of("daily", datetime.fromisoformat(args.moment))
    digests.Renderer("daily")  # templates loaded before the clock starts, as in the one-process run
    counter = QueryCounter()
    counter.phase = "build"
    print("ready", flush=True)
    sys.stdin.readline()
    with connection.execute_wrapper(counter):
        start = time.time()
        built = digests.build("daily", period)
        end = time.time()
    Path(args.json).write_text(json.dumps({
        "start": start, "end": end, "built": built, "queries": counter.counts["build"], "peak_mb": memory_mb("VmHWM"),
    }))


def phase_send(args):
    """Send the outbox through Django's SMTP backend (EMAIL_URL set by the parent)."""
    django.setup()
    from django.conf import settings
    from django.db import connection
    from tqdm import tqdm

    from cms_extranet.follow import digests

    settings.DEBUG = False
    from django.db.backends.signals import connection_created

    pending = digests.sendable().count()
    counter = QueryCounter()
    counter.phase = "send"

    def count_queries(sender, connection, **kwargs):  # the sender threads' own connections
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(count_queries, weak=False)
    connections = int(os.environ.get("BENCH_CONNECTIONS", "1"))
    if args.phase == "sender":  # one of several at once (``together``)
        print("ready", flush=True)
        sys.stdin.readline()
    with connection.execute_wrapper(counter), tqdm(total=pending, desc="versturen", unit="mail", disable=args.phase == "sender") as bar:
        start = time.time()
        sent = digests.send_outbox(progress=bar.update, connections=connections)
        end = time.time()
        seconds = end - start
    result = {
        "start": start,
        "end": end,
        "connections": connections,
        "backend": settings.EMAIL_BACKEND,
        "pending": pending,
        "sent": sent,
        "seconds": seconds,
        "queries": counter.counts["send"],
        "peak_mb": memory_mb("VmHWM"),
    }
    Path(args.json).write_text(json.dumps(result))


def phase_smtp(args):
    """An SMTP server that counts what it accepts; prints its port, then, once stdin closes,
    its figures. Light on purpose: it shares the two cores with the sender and PostgreSQL."""
    import threading

    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self):
            self.lock = threading.Lock()
            self.messages = 0
            self.recipients = 0
            self.message_ids = set()
            self.samples = []
            self.first = self.last = None

        async def handle_DATA(self, server, session, envelope):
            content = envelope.original_content
            found = re.search(rb"^Message-ID: *(\S+)", content, re.M | re.I)
            with self.lock:
                self.first = self.first or time.perf_counter()
                self.last = time.perf_counter()
                self.messages += 1
                self.recipients += len(envelope.rcpt_tos)
                self.message_ids.add(found.group(1) if found else None)
                if len(self.samples) < 3:
                    self.samples.append(content.decode("utf-8", "replace"))
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    sys.stdin.read()
    controller.stop()
    print(json.dumps({
        "messages": handler.messages,
        "recipients": handler.recipients,
        "distinct_message_ids": len(handler.message_ids - {None}),
        "seconds": (handler.last - handler.first) if handler.first else 0,
        "samples": handler.samples,
    }), flush=True)


def child(phase, moment, env=None):
    path = ROOT / "var" / f"bench-digests-{phase}.json"
    path.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--moment", moment.isoformat(), "--json", str(path)],
        cwd=ROOT, env={**os.environ, **(env or {})}, check=True,
    )
    return json.loads(path.read_text())


def send(moment, connections=1, processes=1):
    """The SMTP server in a process of its own, so that it does not share the sender's GIL;
    ``processes`` senders at once (as the builder tasks of a run send), each over ``connections``."""
    from tests.processes import free_port, wait_for_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--phase", "smtp", "--port", str(port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        wait_for_port(port, server)
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "BENCH_CONNECTIONS": str(connections)}
        if processes == 1:
            result = child("send", moment, env=env)
        else:
            parts = together("sender", moment.isoformat(), processes, env=env)
            result = {
                "connections": connections,
                "pending": parts[0]["pending"],
                "sent": sum(p["sent"] for p in parts),
                "seconds": max(p["end"] for p in parts) - min(p["start"] for p in parts),
                "queries": sum(p["queries"] for p in parts),
                "peak_mb": max(p["peak_mb"] for p in parts),
            }
        result["processes"] = processes
    finally:
        output, _ = server.communicate(timeout=120)
    result["server"] = json.loads(output.strip().splitlines()[-1])
    result["sample"] = mail_shape(result["server"].pop("samples"))
    return result


def mail_shape(samples):
    """What the received mails are made of: parts, and the one-click unsubscribe headers."""
    import email
    import email.policy

    shapes = Counter()
    for sample in samples:
        message = email.message_from_string(sample, policy=email.policy.default)
        parts = tuple(sorted(part.get_content_type() for part in message.walk() if not part.is_multipart()))
        unsubscribe = bool(message["List-Unsubscribe"]) and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        shapes[f"{message.get_content_type()} {'+'.join(parts)}{' one-click unsubscribe' if unsubscribe else ''}"] += 1
    return dict(shapes)


# --- Checks -----------------------------------------------------------------------------

def check_sample(info, rng, size=300):
    """Recompute the digest of a sample of users from the tables, asking can_read_page (the
    SQL path) page by page, and compare with the built row: the same pages, nothing they
    may not read. The sample leans on the users whose case is special."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max
    from wagtail.models import Page

    from cms_extranet.access import can_read_page, user_profiles
    from cms_extranet.follow import digests
    from cms_extranet.follow.models import Digest, Follow, PageChange

    User = get_user_model()
    period, window_end = digests.period_of("daily", datetime.fromisoformat(info["moment"]))
    groups = {
        "any": rng.sample(info["user_ids"], size),
        "rights withdrawn": rng.sample(info["withdrawn"], min(size, len(info["withdrawn"]))),
        "two-day window": rng.sample(info["older"], min(size // 3, len(info["older"]))),
        "first digest": rng.sample(info["new"], min(size // 3, len(info["new"]))),
        "quiet": rng.sample(info["quiet"], min(size // 3, len(info["quiet"]))),
        "follows an unpublished page": list(Follow.objects.filter(page_id__in=info["unpublished"]).values_list("user_id", flat=True)[: size // 3]),
    }
    figures = {}
    unpublished = set(info["unpublished"])
    for name, user_ids in groups.items():
        f = Counter()
        for user in User.objects.filter(pk__in=user_ids, is_active=True):
            digest = Digest.objects.get(user=user, frequency="daily", period=period)
            start = Digest.objects.filter(user=user, window_end__lt=window_end).aggregate(end=Max("window_end"))["end"] or window_end - timedelta(days=1)
            changed = set(
                PageChange.objects.filter(
                    page_id__in=Follow.objects.filter(user=user).values("page_id"),
                    minor=False, published_at__gte=start, published_at__lt=window_end,
                ).values_list("page_id", flat=True)
            )
            readable, unreadable, gone = set(), set(), set()
            fresh = User.objects.get(pk=user.pk)
            holds_a_profile = bool(user_profiles(fresh))
            for page in Page.objects.filter(pk__in=changed):
                if page.pk in unpublished:
                    gone.add(page)
                elif holds_a_profile and can_read_page(fresh, page):
                    readable.add(page)
                else:
                    unreadable.add(page)
            text = mail_text(digest)
            # A URL followed by the end of its line: a child's URL starts with its parent's.
            listed = {page for page in readable | unreadable | gone if re.search(re.escape(page.get_full_url()) + "$", text, re.M)}
            f["users"] += 1
            f["with an unreadable changed page"] += bool(unreadable)
            f["unreadable page listed"] += len(listed & unreadable)
            f["readable page missing"] += len(readable - listed) if digest.status == "pending" else 0
            f["unpublished page listed"] += len(listed & gone)
            expected = "pending" if readable and user.email else "skipped"
            f["wrong status"] += digest.status != expected
            f["wrong window start"] += digest.window_start != start
            f["wrong page count"] += digest.status == "pending" and text.count("\n- ") != len(readable)
        figures[name] = dict(f)
    return figures


def mail_text(digest):
    """The plain-text part built for the digest (in the outbox), or ''."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return digest.mail.body_text
    except ObjectDoesNotExist:
        return ""


def no_profile_digests(info, period):
    """Pending digests of users who hold no profile any more (SPEC §3: no following)."""
    from cms_extranet.follow.models import Digest

    held = profiles_of(info["withdrawn"])
    without = [pk for pk, codes in held.items() if not codes]
    pending = Digest.objects.filter(user_id__in=without, period=period, status="pending").count()
    return {"users without a profile": len(without), "their pending digests": pending}


# --- Orchestration ----------------------------------------------------------------------

def reset_period(period):
    from cms_extranet.follow.models import Digest

    Digest.objects.filter(frequency="daily", period=period).delete()


def save(results):
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results, indent=1, default=str))


def run(args):
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from tqdm import tqdm

    from cms_extranet.follow import digests
    from cms_extranet.follow.models import MailingPreference

    settings.DEBUG = False
    started = time.perf_counter()
    rng = random.Random(9)
    if args.reuse and SEED_FILE.exists() and get_user_model().objects.filter(username__startswith="bench.").exists():
        info = json.loads(SEED_FILE.read_text())
        tqdm.write(f"data of an earlier run kept ({info['users']:,} users)")
    else:
        call_command("migrate", verbosity=0)
        call_command("load_demo_content", verbosity=0)
        info = seed(args, rng, timezone.now())
    moment = datetime.fromisoformat(info["moment"])
    period, window_end = digests.period_of("daily", moment)
    results = {"seed": {k: v for k, v in info.items() if not isinstance(v, list)}}

    # The smaller run: only the first users are due.
    reset_period(period)
    later = info["user_ids"][args.small :]
    MailingPreference.objects.filter(user_id__in=later).update(mailing="never")
    results["small"] = child("build", moment)
    save(results)
    reset_period(period)
    MailingPreference.objects.filter(user_id__in=later).update(mailing="daily")
    tqdm.write(f"{args.small:,} users: {results['small']}")

    results["full"] = child("build", moment)
    save(results)
    tqdm.write(f"{info['users']:,} users: {results['full']}")
    # The same build in parallel processes; the checks below look at its digests.
    reset_period(period)
    results["parallel"] = child("build", moment, env={"BENCH_BUILDERS": str(args.builders)})
    save(results)
    tqdm.write(f"{args.builders} builders: {results['parallel']}")
    results["checks"] = check_sample(info, random.Random(11))
    results["no_profile"] = no_profile_digests(info, period)
    save(results)
    tqdm.write(f"checks: {results['checks']} {results['no_profile']}")

    sends = (("send", 1, 1), ("send_parallel", args.connections, 1), ("send_processes", args.connections, args.builders))
    for key, connections, processes in sends:
        if key != "send":  # the same outbox again
            from cms_extranet.follow.models import OutboxMail

            digests.Digest.objects.filter(frequency="daily", period=period, status="sent").update(status="pending", sent_at=None)
            OutboxMail.objects.update(send_started_at=None, attempts=0)
        results[key] = send(moment, connections, processes)
        results[key]["rows_sent"] = digests.Digest.objects.filter(frequency="daily", period=period, status="sent").count()
        save(results)
        tqdm.write(f"{key}: { {k: v for k, v in results[key].items() if k != 'server'} }")
    results["minutes"] = (time.perf_counter() - started) / 60
    save(results)
    write_report(args, results)


# --- Report -----------------------------------------------------------------------------

def batches(count, size):
    return math.ceil(count / size)


def write_report(args, results):
    """The section "Digests (issue 16)" of docs/benchmarks.md; the older sections stay."""
    from django.db import connection
    from search_bench import machine

    seed, small, full, parallel = results["seed"], results["small"], results["full"], results["parallel"]
    size = full["batch_size"]

    def figures(r):
        claimed, built = r["seconds"]["claim"][1], r["seconds"]["build"][1]
        queries = r["queries"].get("claim", 0) + r["queries"].get("build", 0)
        seconds = r["seconds"]["claim"][0] + r["seconds"]["build"][0]
        return claimed, built, batches(built, size), queries, seconds

    def build_row(label, r):
        claimed, built, n, queries, seconds = figures(r)
        rendering = f"{r['rendering']:.1f}" if r.get("rendering") is not None else "n/a"
        return (
            f"| {label} | {claimed:,} | {n} | {r['seconds']['claim'][0]:.1f} + {r['seconds']['build'][0]:.1f} = {seconds:.1f} | {rendering} | "
            f"{r['queries'].get('claim', 0)} + {r['queries'].get('build', 0)} = {queries} | {queries / n:.1f} | {queries / claimed:.3f} | "
            f"{r['peak_mb']:.0f} ({r['rss_before_mb']:.0f} before the run) |"
        )

    claimed, built, n, queries, seconds = figures(full)
    _c, _b, n_small, queries_small, _s = figures(small)
    per_batch, per_batch_small = queries / n, queries_small / n_small
    ratio = parallel["seconds"]["build"][0] / full["seconds"]["build"][0]
    statuses = parallel["statuses"]
    skipped = {k.partition(": ")[2]: v for k, v in statuses.items() if k.startswith("skipped")}
    total = Counter()
    for group in results["checks"].values():
        total.update(group)
    sends = [results[key] for key in ("send", "send_parallel", "send_processes") if key in results]
    rates = [r["sent"] / r["seconds"] for r in sends]

    def senders(r):
        connections = f"{r['connections']} SMTP connection{'s' if r['connections'] > 1 else ''}"
        processes = r.get("processes", 1)
        return connections if processes == 1 else f"{processes} processes × {connections}"


    def verdict(ok):
        return "met" if ok else "**missed**"

    lines = [
        "## Digests (issue 16)",
        "",
        f"Reproduce: `make bench-digests` (about {max(5, round(results['minutes'] / 5) * 5)} minutes; starts a throwaway PostgreSQL).",
        "",
        f"Machine: {machine()}; PostgreSQL {connection.pg_version // 10000 if connection.vendor == 'postgresql' else connection.vendor} "
        "(`.ci/postgres.sh`: fsync off); the SMTP server (aiosmtpd) runs on the same machine, in a process of its own.",
        f"Data: as in the section \"Digests\" above ({seed['users']:,} users, {seed['follows']:,} follows, {seed['changed']:,} changed pages, "
        f"{seed['pages']:,} pages, {seed['restrictions']:,} restrictions).",
        f"Timing: `claim()` then `build()` in a fresh process, as before; then the same claim and the build in {parallel['builders']} "
        "processes at once (each calls `build()`, taking batches with `SKIP LOCKED`; started before the claim, timed from the first "
        "builder's start to the last one's end; their SQL queries added up, peak memory the largest builder's). The correctness "
        f"checks below look at the digests of the parallel build. Sending: `send_outbox()` with one SMTP connection, then the same "
        f"outbox again with {args.connections}, then again in {args.builders} processes at once with {args.connections} each (as the "
        f"{args.builders} builder tasks of a run send once they are done).",
        "",
        "| Targets | figure | |",
        "|---|---|---|",
        f"| claim + build ≤ 30 s at {seed['users']:,} users, one process | {seconds:.1f} s | {verdict(seconds <= 30)} |",
        f"| build in {parallel['builders']} processes ≤ 0.6× one | {parallel['seconds']['build'][0]:.1f} s against "
        f"{full['seconds']['build'][0]:.1f} s: {ratio:.2f}× | {verdict(ratio <= 0.6)} |",
        f"| SQL queries per batch constant | {per_batch_small:.1f} per batch of {size} at {n_small} batches, {per_batch:.1f} at {n}; "
        f"{queries / claimed:.3f} per user | {verdict(queries / claimed < 0.1 and per_batch <= 1.25 * per_batch_small)} |",
        f"| peak memory ≤ 300 MB | {full['peak_mb']:.0f} MB (one process), {parallel['peak_mb']:.0f} MB (largest builder) | "
        f"{verdict(max(full['peak_mb'], parallel['peak_mb']) <= 300)} |",
        f"| sending, messages/s | {', '.join(f'{rate:.0f} over {senders(r)}' for r, rate in zip(sends, rates))} | "
        f"{verdict(max(rates[1:]) >= 500)} (≥ 500 with several) |",
        "",
        "| Claim + build | users claimed | batches | seconds (claim + build) | of which rendering, s | SQL queries (claim + build) | queries per batch | queries per user | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
        build_row(f"{args.small:,} users, 1 process", small),
        build_row(f"{seed['users']:,} users, 1 process", full),
        build_row(f"{seed['users']:,} users, {parallel['builders']} processes", parallel),
        "",
        f"Builders of the parallel build (seconds, digests built): {'; '.join(f'{s:.1f} s, {b:,}' for s, b in parallel['per_builder'])}.",
        "",
        f"| Digests of the period (parallel build), {seed['users']:,} users | number |",
        "|---|---|",
        f"| pending: built into the outbox | {statuses.get('pending', 0):,} |",
    ]
    lines += [f"| skipped: {reason} | {count:,} |" for reason, count in sorted(skipped.items())]
    lines += [
        f"| not claimed (inactive users) | {seed['users'] - parallel['seconds']['claim'][1]:,} |",
        "",
        "| Sending the outbox | messages sent | seconds | messages/s | received by the server (distinct Message-IDs) | digests marked sent | SQL queries (per message) | peak MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r, rate in zip(sends, rates):
        server = r["server"]
        lines.append(
            f"| {senders(r)} | {r['sent']:,} | {r['seconds']:.0f} | {rate:.0f} | "
            f"{server['messages']:,} ({server['distinct_message_ids']:,}) | {r['rows_sent']:,} | "
            f"{r['queries']:,} ({r['queries'] / max(r['sent'], 1):.2f}) | {r['peak_mb']:.0f} |"
        )
    lines += [
        "",
        f"Shape of the first received mails: {'; '.join(f'{k} ({v})' for k, v in sends[-1]['sample'].items())}.",
        "",
        f"Correctness, on a sample of {total['users']:,} users (as in the section above): "
        f"{total['unreadable page listed']} unreadable pages listed (in {total['with an unreadable changed page']} digests whose user "
        f"follows a changed page they may not read), {total['readable page missing']} readable pages missing, "
        f"{total['wrong status']} wrong statuses, {total['wrong window start']} wrong window starts, "
        f"{total['wrong page count']} wrong page counts; unpublished since their change: {total['unpublished page listed']} listed. "
        f"Of {results['no_profile']['users without a profile']} users left without any profile, "
        f"{results['no_profile']['their pending digests']} get a digest.",
        "",
    ]
    output = Path(args.output)
    text = output.read_text() if output.exists() else "# Benchmarks\n\n"
    section = "\n".join(lines).rstrip() + "\n"
    pattern = r"## Digests \(issue 16\)\n.*?(?=\n## |\n<!-- |\Z)"
    if re.search(pattern, text, flags=re.S):
        text = re.sub(pattern, lambda m: section, text, count=1, flags=re.S)
    elif "<!-- office-load:start -->" in text:
        head, _, tail = text.partition("<!-- office-load:start -->")
        text = head.rstrip() + "\n\n" + section + "\n<!-- office-load:start -->" + tail
    else:
        text = text.rstrip() + "\n\n" + section
    output.write_text(text)
    print("\n".join(lines))


def main():
    args = parse_args()
    if args.phase == "smtp":
        return phase_smtp(args)
    if args.phase == "build":
        return phase_build(args)
    if args.phase == "builder":
        return phase_builder(args)
    if args.phase in ("send", "sender"):
        return phase_send(args)
    run(args)


if __name__ == "__main__":
    main()
