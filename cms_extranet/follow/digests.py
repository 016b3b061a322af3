"""Building and sending digests (SPEC §9).

A run claims one Digest row per due user and period (the unique constraint makes the
claim stick once), builds the claimed rows into the outbox in batches, and sends the
outbox. Each step can crash and be repeated: a claimed row is built by the next run, a
pending row is sent by the next sender once its lease expired, and every attempt sends
the same stored message with the same Message-ID.
"""

import datetime
import smtplib
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import swapper
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import connections as db_connections
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from ..access import RestrictionTree, load_profiles, readable_pages, user_profiles
from ..conf import extranet_settings
from ..links import absolute_url
from .models import (
    Digest,
    DigestStatus,
    Follow,
    Mailing,
    MailingPreference,
    OutboxMail,
    PageChange,
    can_follow,
)

BATCH_SIZE = 500
UNSUBSCRIBE_SALT = "extranet.follow.unsubscribe"


def send_lease():
    """How long a send in progress keeps others off a row; after it, a crashed send is retried."""
    return datetime.timedelta(seconds=extranet_settings.DIGEST_SEND_LEASE)


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def send_time():
    return datetime.time(extranet_settings.DIGEST_HOUR)


def period_of(frequency, moment=None):
    """(period, end) of the latest scheduled run at or before ``moment``: the local date
    of that run (EXTRANET_DIGEST_HOUR; on EXTRANET_DIGEST_WEEKDAY for weekly digests) and
    its time as an aware datetime."""
    moment = timezone.localtime(moment or timezone.now(), local_zone())
    day = moment.date()
    if moment.time() < send_time():
        day -= datetime.timedelta(days=1)
    if frequency == Mailing.WEEKLY:
        day -= datetime.timedelta(days=(day.weekday() - extranet_settings.DIGEST_WEEKDAY) % 7)
    return day, datetime.datetime.combine(day, send_time(), tzinfo=local_zone())


def next_run(frequency):
    """The first scheduled run after now."""
    return period_of(frequency)[1] + period_length(frequency)


def period_length(frequency):
    return datetime.timedelta(days=7 if frequency == Mailing.WEEKLY else 1)


def message_id(user_id, frequency, period):
    digest = salted_hmac("extranet.follow.digest", f"{user_id}:{frequency}:{period}").hexdigest()
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "extranet.local"
    return f"<digest.{digest[:32]}@{domain}>"


def unsubscribe_token(user_id):
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def user_of_unsubscribe_token(token):
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


@dataclass
class Composition:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


class Renderer:
    """Renders digests from templates rendered once per run, not once per user.

    The frame (greeting, links, footer) is rendered with placeholders, and each page entry
    once per (window start, page); a user's mail is then the frame with their name, their
    entries and their link filled in. Rendering every mail whole took 2.7 ms a user.
    Across the batches of a run it also keeps the pages, their entries and which pages
    each kind of reader (profiles, denied view restrictions) may read.
    """

    NAME, ENTRIES, UNSUBSCRIBE = "@@digest-name@@", "@@digest-entries@@", "@@digest-unsubscribe@@"

    def __init__(self, frequency):
        self.frequency = frequency
        self.root = absolute_url("").rstrip("/")
        context = {
            "frequency": frequency,
            "name": self.NAME,
            "entries": self.ENTRIES,
            "profile_url": self.root + reverse("extranet:profile"),
            "unsubscribe_url": self.UNSUBSCRIBE,
        }
        # Each frame as a str.format template: braces of the text doubled, placeholders named.
        self.frames = {}
        for kind in ("txt", "html"):
            text = render_to_string(f"extranet_follow/mail/digest.{kind}", context)
            text = text.replace("{", "{{").replace("}", "}}")
            for placeholder, field in (
                (self.NAME, "{name}"),
                (self.ENTRIES, "{entries}"),
                (self.UNSUBSCRIBE, "{unsubscribe}"),
            ):
                text = text.replace(placeholder, field)
            self.frames[kind] = text
        if frequency == Mailing.WEEKLY:
            self.subject = str(_("Extranet: changes to the pages you follow this week"))
        else:
            self.subject = str(_("Extranet: changes to the pages you follow"))
        self.by_start = {}  # window start: {page pk: (sort key, text entry, HTML entry) or None}
        self.rendered = {}  # (page pk, its changes listed): (sort key, text entry, HTML entry)
        self.urls = {}
        self.times = {}
        self.pages = {}  # live pages loaded by earlier batches: most batches share them
        self.readable = {}  # reader key: {page pk: readable}, for self.tree
        self.tree = None
        self.unsubscribe = self.root + reverse("extranet_follow:unsubscribe", args=["-token-"])
        self.signer = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)

    def when(self, moment):
        """A change's time as the entries show it; formatted once per run, not per entry."""
        if moment not in self.times:
            self.times[moment] = date_format(timezone.localtime(moment), "j F Y, H:i")
        return self.times[moment]

    def entry(self, kind, page, changes):
        if page.pk not in self.urls:
            parts = page.get_url_parts()
            self.urls[page.pk] = absolute_url(parts[2] if parts else "/")
        return render_to_string(
            f"extranet_follow/mail/digest_entry.{kind}",
            {"title": page.title, "url": self.urls[page.pk], "changes": changes},
        )

    def entries_since(self, since, changes):
        """{page pk: (sort key, text, HTML) or None} of the pages with a change at or after
        ``since``; ``changes`` holds every change from ``since`` on of the pages not in
        the cache yet (the batch's)."""
        entries = self.by_start.setdefault(since, {})
        for pk in changes.keys() - entries.keys():
            page = self.pages.get(pk)
            listed = [c for c in changes[pk] if c[0] >= since]
            if page is None or not listed:
                entries[pk] = None
                continue
            # Most window starts list the same changes of a page: rendered once for them.
            key = (pk, tuple(listed))
            if key not in self.rendered:
                shown = [(self.when(at), note) for at, note in listed]
                self.rendered[key] = (
                    (page.title.lower(), pk),
                    self.entry("txt", page, shown),
                    self.entry("html", page, shown),
                )
            entries[pk] = self.rendered[key]
        return entries

    def readable_of(self, users, candidates, tree):
        """{user pk: set of readable page pks among ``candidates[user pk]``}.

        ``readable_pages`` answers the same for users with the same profiles and the
        same denied view restrictions, so it is asked once per such reader and page.
        """
        if tree is not self.tree:
            self.tree, self.readable = tree, {}
        keys, wanted = {}, defaultdict(set)
        for user in users:
            key = (user_profiles(user), tuple(tree.denied_views(user)))
            keys[user.pk] = key
            known = self.readable.setdefault(key, {})
            wanted[key].update(pk for pk in candidates.get(user.pk, ()) if pk not in known)
        representative = {keys[user.pk]: user for user in users}
        for key, pks in wanted.items():
            if pks:
                readable = {
                    page.pk
                    for page in readable_pages(
                        representative[key], [self.pages[pk] for pk in pks], tree=tree
                    )
                }
                self.readable[key].update((pk, pk in readable) for pk in pks)
        return {
            user.pk: {pk for pk in candidates.get(user.pk, ()) if self.readable[keys[user.pk]][pk]}
            for user in users
        }

    def compose(self, user, entries):
        """``entries``: (sort key, text, HTML) in the order of the mail."""
        unsubscribe_url = self.unsubscribe.replace("-token-", self.signer.sign_object(user.pk))
        name = user.get_full_name() or user.get_username()
        return Composition(
            subject=f"{self.subject} ({len(entries)})",
            text=self.frames["txt"].format(
                name=name, unsubscribe=unsubscribe_url, entries="".join(e[1] for e in entries)
            ),
            html=self.frames["html"].format(
                name=escape(name),
                unsubscribe=escape(unsubscribe_url),
                entries="".join(e[2] for e in entries),
            ),
            unsubscribe_url=unsubscribe_url,
        )


def access_key(user, tree):
    """What decides which pages a user may read: the tree's version and their profiles."""
    return f"{tree.version}:{','.join(sorted(user_profiles(user)))}"


def compose(users, frequency, window_start_by_user, window_end, renderer=None, tree=None):
    """{user pk: Composition or None} for these users: the live followed pages with a
    non-minor change in each user's window that the user may read under ``tree`` (by
    default the current one); None for a user with nothing to list, or who holds no
    profile any more (SPEC §9). A fixed number of queries per call, whatever the number
    of users."""
    Page = swapper.load_model("wagtailcore", "Page")
    renderer = renderer or Renderer(frequency)
    load_profiles(users)
    tree = tree or RestrictionTree.current()
    earliest = min(window_start_by_user.values(), default=window_end)
    changed = PageChange.objects.filter(
        minor=False, published_at__gte=earliest, published_at__lt=window_end
    )
    rows = (
        Follow.objects.filter(user__in=users)
        .filter(page_id__in=changed.values("page_id"))
        .values_list("user_id", "page_id")
    )
    followed = defaultdict(list)
    for user_id, page_id in rows:
        followed[user_id].append(page_id)
    page_ids = {pk for pks in followed.values() for pk in pks}
    starts = set(window_start_by_user.values())
    # Only the pages some window start has no entry for yet: most batches share them.
    fresh = {pk for pk in page_ids for since in starts if pk not in renderer.by_start.get(since, ())}
    changes = defaultdict(list)
    if fresh:
        for page_id, published_at, note in (
            changed.filter(page_id__in=fresh).order_by("published_at").values_list(
                "page_id", "published_at", "note"
            )
        ):
            changes[page_id].append((published_at, note))
        missing = fresh - renderer.pages.keys()
        renderer.pages.update(
            (page.pk, page)
            for page in Page.objects.live()
            .filter(pk__in=missing)
            .only("pk", "title", "path", "depth", "url_path", "alias_of")
        )
    for pk in fresh:
        changes.setdefault(pk, [])
    entries = {since: renderer.entries_since(since, changes) for since in starts}
    candidates = {}
    for user in users:
        listed = entries[window_start_by_user[user.pk]]
        candidates[user.pk] = [pk for pk in followed.get(user.pk, ()) if listed.get(pk)]
    readable = renderer.readable_of(
        [user for user in users if can_follow(user)], candidates, tree
    )
    result = {}
    for user in users:
        pks = readable.get(user.pk)
        if not pks:
            result[user.pk] = None
            continue
        listed = entries[window_start_by_user[user.pk]]
        result[user.pk] = renderer.compose(user, sorted(listed[pk] for pk in pks))
    return result


def window_starts(user_ids, frequency, window_end):
    """Each user's changes start where their previous digest ended (one period back at first)."""
    previous = dict(
        Digest.objects.filter(user_id__in=user_ids, window_end__lt=window_end)
        .values("user_id")
        .annotate(end=Max("window_end"))
        .values_list("user_id", "end")
    )
    default = window_end - period_length(frequency)
    return {pk: previous.get(pk, default) for pk in user_ids}


def due_users(frequency, period):
    """Users whose mailing is this frequency and who hold no digest for the period yet."""
    return (
        MailingPreference.objects.filter(mailing=frequency, user__is_active=True)
        .exclude(
            Exists(
                Digest.objects.filter(user=OuterRef("user"), frequency=frequency, period=period)
            )
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def claim(frequency, period, window_end, progress=None):
    """Claim a digest row for every due user; rows another run claimed first stay theirs.

    Walks the mailing preferences in windows of BATCH_SIZE by user id, then keeps the due
    users of each window: every query reads one window, however many users come before.
    """
    claimed, last = 0, 0
    while True:
        window = list(
            MailingPreference.objects.filter(mailing=frequency, user_id__gt=last)
            .order_by("user_id")
            .values_list("user_id", flat=True)[:BATCH_SIZE]
        )
        if not window:
            return claimed
        last = window[-1]
        batch = list(due_users(frequency, period).filter(user_id__in=window))
        if not batch:
            continue
        Digest.objects.bulk_create(
            [
                Digest(user_id=pk, frequency=frequency, period=period, window_end=window_end)
                for pk in batch
            ],
            ignore_conflicts=True,
        )
        claimed += len(batch)
        if progress:
            progress(len(batch))


def _lock(queryset):
    if db_connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def build_batch(frequency, period, renderer=None):
    """Build up to BATCH_SIZE claimed rows of the period into the outbox; their number.

    Statuses are set with one UPDATE per outcome and mails inserted in bulk: the queries
    grow with the batches, not with the users.
    """
    User = get_user_model()
    with transaction.atomic():
        digests = list(
            _lock(
                Digest.objects.filter(
                    frequency=frequency, period=period, status=DigestStatus.CLAIMED
                ).order_by("pk")
            ).values_list("pk", "user_id", "window_end")[:BATCH_SIZE]
        )
        if not digests:
            return 0
        users = {user.pk: user for user in User.objects.filter(pk__in=[d[1] for d in digests])}
        window_end = digests[0][2]
        starts = window_starts(list(users), frequency, window_end)
        tree = RestrictionTree.current()
        compositions = compose(list(users.values()), frequency, starts, window_end, renderer, tree)
        outcomes, mails = defaultdict(list), []
        for digest_pk, user_id, _end in digests:
            user = users[user_id]
            composition = compositions.get(user.pk)
            skipped = skip_reason(user, composition)
            if skipped:
                outcome = (DigestStatus.SKIPPED, skipped)
            else:
                outcome = (DigestStatus.PENDING, "")
                mails.append(
                    (
                        digest_pk,
                        user.email,
                        message_id(user.pk, frequency, period),
                        composition.subject,
                        composition.text,
                        composition.html,
                        composition.unsubscribe_url,
                        access_key(user, tree),
                    )
                )
            outcomes[(*outcome, starts[user.pk])].append(digest_pk)
        insert_outbox(mails)
        now = timezone.now()
        for (status, reason, start), pks in outcomes.items():
            Digest.objects.filter(pk__in=pks).update(
                status=status, reason=reason, window_start=start, built_at=now
            )
        return len(digests)


OUTBOX_FIELDS = (
    "digest",
    "recipient",
    "message_id",
    "subject",
    "body_text",
    "body_html",
    "unsubscribe_url",
    "access_key",
)


def _psycopg3():
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def insert_outbox(rows):
    """Insert outbox mails, tuples in the order of OUTBOX_FIELDS: with COPY on PostgreSQL
    (a batch's bodies are megabytes, which COPY streams without building one statement),
    in bulk elsewhere."""
    if not rows:
        return
    if db_connection.vendor != "postgresql" or not _psycopg3():
        OutboxMail.objects.bulk_create(
            OutboxMail(**dict(zip(["digest_id", *OUTBOX_FIELDS[1:]], row))) for row in rows
        )
        return
    meta = OutboxMail._meta
    columns = [meta.get_field(name).column for name in (*OUTBOX_FIELDS, "attempts")]
    quote = db_connection.ops.quote_name
    sql = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with db_connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((*row, 0))


def skip_reason(user, composition):
    """Why this user gets no mail, or None."""
    if not can_follow(user):
        return _("No extranet profile any more")
    if composition is None:
        return _("No changes to followed pages")
    if not user.email:
        return _("No email address")
    if not user.is_active:
        return _("User not active")
    return None


def recheck(mails):
    """SPEC §9: a digest lists only the pages the user may still read when it is sent.

    A mail built under another restriction tree or other profiles than now is built
    again for the same window (or skipped, with the reason, when nothing is left); the
    others go as built. A few queries per batch, more only for the mails to rebuild.
    """
    if not mails:
        return mails
    tree = RestrictionTree.current()
    load_profiles([mail.digest.user for mail in mails])
    stale = defaultdict(list)
    for mail in mails:
        if mail.access_key != access_key(mail.digest.user, tree) or not mail.digest.user.is_active:
            stale[(mail.digest.frequency, mail.digest.window_end)].append(mail)
    skipped = set()
    for (frequency, window_end), group in stale.items():
        starts = {mail.digest.user_id: mail.digest.window_start for mail in group}
        users = [mail.digest.user for mail in group]
        compositions = compose(users, frequency, starts, window_end, tree=tree)
        for mail in group:
            user, composition = mail.digest.user, compositions.get(mail.digest.user_id)
            reason = skip_reason(user, composition)
            if reason:
                Digest.objects.filter(pk=mail.pk, status=DigestStatus.PENDING).update(
                    status=DigestStatus.SKIPPED, reason=reason
                )
                skipped.add(mail.pk)
                continue
            mail.recipient, mail.subject = user.email, composition.subject
            mail.body_text, mail.body_html = composition.text, composition.html
            mail.access_key = access_key(user, tree)
            mail.save(update_fields=["recipient", "subject", "body_text", "body_html", "access_key"])
    return [mail for mail in mails if mail.pk not in skipped]


def build(frequency, period, progress=None):
    built, renderer = 0, Renderer(frequency)
    while True:
        count = build_batch(frequency, period, renderer)
        if not count:
            return built
        built += count
        if progress:
            progress(count)


def lease_free():
    return Q(send_started_at__isnull=True) | Q(send_started_at__lt=timezone.now() - send_lease())


def sendable():
    return OutboxMail.objects.filter(lease_free(), digest__status=DigestStatus.PENDING)


def take(limit):
    """Take the leases of up to ``limit`` sendable mails in one UPDATE; their pks.

    The UPDATE matches a row only while its lease is free or expired and its digest is
    still pending, which the database checks again under the row lock, so concurrent
    senders never take the same mail; on PostgreSQL they skip each other's rows instead
    of waiting for them.
    """
    outbox, digest = OutboxMail._meta, Digest._meta
    quote = db_connection.ops.quote_name
    table, pk = quote(outbox.db_table), quote(outbox.pk.column)
    started, attempts = quote("send_started_at"), quote("attempts")
    free = f"({started} IS NULL OR {started} < %s)"
    pending = (
        f"EXISTS (SELECT 1 FROM {quote(digest.db_table)} d WHERE d.{quote(digest.pk.column)} = "
        f"{table}.{pk} AND d.{quote('status')} = %s)"
    )
    lock = " FOR UPDATE SKIP LOCKED" if db_connection.features.has_select_for_update_skip_locked else ""
    adapt = db_connection.ops.adapt_datetimefield_value
    now = timezone.now()
    now, expired = adapt(now), adapt(now - send_lease())
    sql = (
        f"UPDATE {table} SET {started} = %s, {attempts} = {attempts} + 1 "
        f"WHERE {pk} IN (SELECT {pk} FROM {table} WHERE {free} AND {pending} ORDER BY {pk} LIMIT %s{lock}) "
        f"AND {free} AND {pending} RETURNING {pk}"
    )
    params = [now, expired, DigestStatus.PENDING, limit, expired, DigestStatus.PENDING]
    with transaction.atomic(), db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


SEND_CHUNK = 50  # mails leased and marked sent together: what a crash may send twice


def send_some(connection, progress=None):
    """Lease, send and mark sent SEND_CHUNK mails at a time until none is left; the
    number sent. A crash between the mail server's answer and the marking UPDATE leaves
    at most one chunk to be sent again, with the same Message-IDs, once its lease
    expired."""
    sent = 0
    while True:
        pks = take(SEND_CHUNK)
        if not pks:
            return sent
        batch = OutboxMail.objects.filter(pk__in=pks).select_related("digest__user")
        delivered, failed = [], []
        try:
            for mail in recheck(list(batch.order_by("pk"))):
                try:
                    connection.send_messages([mail.email_message(connection)])
                except smtplib.SMTPRecipientsRefused as error:
                    failed.append((mail.pk, str(error)[:200]))
                else:
                    delivered.append(mail.pk)
        finally:  # what the server accepted is recorded even when the connection breaks
            Digest.objects.filter(pk__in=delivered, status=DigestStatus.PENDING).update(
                status=DigestStatus.SENT, sent_at=timezone.now()
            )
            for pk, reason in failed:
                Digest.objects.filter(pk=pk).update(status=DigestStatus.FAILED, reason=reason)
        sent += len(delivered)
        if progress and delivered:
            progress(len(delivered))


def send_outbox(progress=None, connections=None):
    """Send every pending digest whose lease is free; the number sent.

    Over ``connections`` SMTP connections (EXTRANET_DIGEST_SEND_CONNECTIONS), each in a
    thread with its own database connection. Mails are taken by ``take`` before they go,
    so concurrent senders never both send one; a sender that dies leaves the lease to
    expire, and the next one resends the same message. The mail server is contacted only
    when there is something to send.
    """
    count = connections or extranet_settings.DIGEST_SEND_CONNECTIONS
    if not sendable().exists():
        return 0
    if count <= 1:
        return _send_over_one(progress)
    lock = threading.Lock()

    def counted(n):
        with lock:
            progress(n)

    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(_send_in_thread, progress and counted) for _thread in range(count)]
        return sum(future.result() for future in futures)


def _send_over_one(progress):
    connection = get_connection()
    connection.open()
    try:
        return send_some(connection, progress)
    finally:
        connection.close()


def _send_in_thread(progress):
    try:
        return _send_over_one(progress)
    finally:
        db_connections.close_all()


def resume(progress=None):
    """The five-minute sender: finish every run a crash interrupted (claim the rest of its
    period, build its claimed rows), then send the outbox. A run that finished left no
    claimed row, so this costs one query when there is nothing to resume."""
    unbuilt = (
        Digest.objects.filter(status=DigestStatus.CLAIMED)
        .values_list("frequency", "period", "window_end")
        .distinct()
    )
    for frequency, period, window_end in unbuilt:
        claim(frequency, period, window_end)
        build(frequency, period)
    return send_outbox(progress=progress)


def builders():
    """How many builders a scheduled run starts: several only where they can lock claimed
    rows past each other (SKIP LOCKED); elsewhere they would wait on one another."""
    if not db_connection.features.has_select_for_update_skip_locked:
        return 1
    return max(1, extranet_settings.DIGEST_BUILDERS)


def start(frequency, moment=None):
    """The scheduled run in the cluster: claim, then enqueue ``builders()`` tasks, each
    building batches until none is left and then sending; the number enqueued."""
    from django_q.tasks import async_task

    period, window_end = period_of(frequency, moment)
    claim(frequency, period, window_end)
    count = builders()
    for _builder in range(count):
        async_task(
            "cms_extranet.follow.tasks.build_digests",
            frequency,
            period.isoformat(),
            group="extranet_digests",
        )
    return count


def build_and_send(frequency, period):
    build(frequency, period)
    return send_outbox()


def run(frequency, moment=None, progress=None):
    """A whole run for the period at ``moment`` (default: the latest one): claim, build, send."""
    period, window_end = period_of(frequency, moment)
    claim(frequency, period, window_end, progress=progress and progress("claim"))
    build(frequency, period, progress=progress and progress("build"))
    return send_outbox(progress=progress and progress("send"))
