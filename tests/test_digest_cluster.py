"""Digests run by a real django-q2 cluster, mailed to a real SMTP server, through crashes."""

import json
import random
import time
from collections import defaultdict

from .processes import kill_group

# The run's period is fixed, so a test that crosses 07:00 still checks one period.
PERIOD_END_SQL = "from cms_extranet.follow import digests; end = digests.period_of('daily')[1]"


def cluster(site, log_name="qcluster", env=None):
    return site.start("qcluster", log_name=log_name, env=env)


def wait(condition, timeout, interval=0.5, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"waited {timeout} s for {message}")


def test_the_scheduled_daily_digest_runs_in_the_cluster_and_is_mailed(scratch_site, mailbox):
    scratch_site.python(
        f"""
import datetime
from django.utils import timezone
from django_q.models import Schedule
from cms_extranet.follow.models import PageChange
{PERIOD_END_SQL}
PageChange.objects.update(published_at=end - datetime.timedelta(hours=2))
Schedule.objects.filter(name="Digests dagelijks").update(next_run=timezone.now())
"""
    )
    # The scheduler's first call, at the guard's first beat rather than 30 s after the start.
    worker = cluster(scratch_site, env={"EXTRANET_Q_GUARD_CYCLE": "30"})
    try:
        wait(mailbox.received, 90, message="the digest at the SMTP server")
        # The worker records the send right after the server accepted it.
        wait(lambda: '"sent"' in scratch_site.python(STATE), 30, message="the digest marked sent")
    finally:
        kill_group(worker)
    [(recipients, message)] = mailbox.received()
    assert recipients == ["multi.partner@example.be"]
    assert message["Subject"] == "Extranet: wijzigingen aan je gevolgde pagina's (2)"
    state = json.loads(
        scratch_site.python(
            """
import json
from django.utils import timezone
from django_q.models import Schedule
from cms_extranet.follow.models import Digest
d = Digest.objects.get(user__username="multi.partner")
s = Schedule.objects.get(name="Digests dagelijks")
print(json.dumps({"status": d.status, "message_id": d.mail.message_id,
                  "next": timezone.localtime(s.next_run).strftime("%H:%M"),
                  "later": s.next_run > timezone.now()}))
"""
        ).splitlines()[-1]
    )
    assert state == {"status": "sent", "message_id": message["Message-ID"], "next": "07:00", "later": True}


CRASH_USERS = 1000


def seed(prefix, count):
    """``count`` users who hold a profile, follow two pages that changed and get a daily
    digest; no digest of anyone else. Prints the period's end."""
    return f"""
import datetime
from django.contrib.auth import get_user_model
from wagtail.models import Page
from cms_extranet.follow.models import Follow, MailingPreference, PageChange, Digest
{PERIOD_END_SQL}
User = get_user_model()
Digest.objects.all().delete()
MailingPreference.objects.exclude(user__username__startswith="{prefix}").delete()
users = User.objects.bulk_create(
    [User(username=f"{prefix}{{i}}", email=f"{prefix}{{i}}@example.be") for i in range({count})]
)
users = list(User.objects.filter(username__startswith="{prefix}"))
# Digests are for users who hold a profile: each gets das.partner's organisation and right.
from cms_extranet.models import PartnerAccount, UserRight
das = PartnerAccount.objects.get(user__username="das.partner")
accounts = PartnerAccount.objects.bulk_create(
    [PartnerAccount(user=u, vestiging=das.vestiging) for u in users]
)
right = das.rights.get(code="das")
UserRight.objects.bulk_create([UserRight(account=a, right=right) for a in accounts])
MailingPreference.objects.bulk_create([MailingPreference(user=u, mailing="daily") for u in users])
pages = list(Page.objects.filter(url_path__in=["/extranet/alles-over-extranet/", "/extranet/disclaimer/"]))
Follow.objects.bulk_create([Follow(user=u, page=p) for u in users for p in pages])
PageChange.objects.update(published_at=end - datetime.timedelta(hours=2))
print(end.isoformat())
"""


STATE = """
import json
from django.db.models import Count
from cms_extranet.follow.models import Digest
print(json.dumps(dict(Digest.objects.values_list("status").annotate(n=Count("pk")))))
"""


def test_killing_the_worker_during_a_run_loses_and_doubles_no_digest(scratch_site, mailbox):
    """SIGKILL the cluster at random points of a run for 1000 users, at least 10 times;
    after restarts every user has exactly one digest for the period at the SMTP server."""
    end = scratch_site.python(seed("crash", CRASH_USERS)).splitlines()[-1]
    env = {"EXTRANET_Q_TIMEOUT": "60", "EXTRANET_Q_RETRY": "70", "EXTRANET_DIGEST_SEND_LEASE": "3"}
    enqueue = (
        "from django_q.tasks import async_task; "
        f"async_task('cms_extranet.follow.tasks.send_daily_digests', intended='{end}')"
    )
    rng = random.Random(20261129)
    mailbox.delay = 0.01
    kills, stages = 0, []
    while kills < 10:
        scratch_site.python(enqueue)
        received = len(mailbox.received())
        worker = scratch_site.start("qcluster", env=env, log_name="crash")
        # Kill at a random moment: while claiming or building (the cluster starts in about
        # 2 s), or once a random number of this cycle's mails went out.
        deadline, mails = time.monotonic() + rng.uniform(2.5, 7.0), rng.randint(1, 60)
        while time.monotonic() < deadline and len(mailbox.received()) - received < mails:
            time.sleep(0.02)
        kill_group(worker)
        kills += 1
        stages.append((json.loads(scratch_site.python(STATE).splitlines()[-1]), len(mailbox.received())))
    unfinished_kills = [s for s in stages if s[0].get("sent", 0) < CRASH_USERS]
    assert len(unfinished_kills) >= 10, stages  # every kill hit a run in progress

    # Restart for good: the run again, then the outbox once the crashed sends' leases expired.
    worker = scratch_site.start("qcluster", env=env, log_name="crash")
    try:
        scratch_site.python(enqueue)

        def done():
            state = json.loads(scratch_site.python(STATE).splitlines()[-1])
            if state.get("sent", 0) == CRASH_USERS:
                return state
            scratch_site.python(
                "from django_q.tasks import async_task; "
                "async_task('cms_extranet.follow.tasks.send_pending_digests')"
            )
            return None

        final = wait(done, 300, interval=2, message="every digest sent")
    finally:
        kill_group(worker)
    assert final == {"sent": CRASH_USERS}

    by_user = defaultdict(dict)
    for recipients, message in mailbox.received():
        [recipient] = recipients
        if recipient.startswith("crash"):
            by_user[recipient].setdefault(message["Message-ID"], set()).add(
                message.get_body(("plain",)).get_content()
            )
    assert len(by_user) == CRASH_USERS
    assert all(len(ids) == 1 for ids in by_user.values())  # one digest per user and period
    assert all(len(bodies) == 1 for ids in by_user.values() for bodies in ids.values())
    print("kills at (digests by status, mails received):", stages)


CONCURRENT_USERS = 300
SEND = "from cms_extranet.follow import digests; print(digests.send_outbox())"


def test_senders_running_at_once_send_each_digest_once(scratch_site, mailbox):
    """The daily run and the five-minute sender overlap: four senders at once over the
    same outbox; the SMTP server gets every digest exactly once."""
    scratch_site.python(
        seed("samen", CONCURRENT_USERS)
        + "period, end = digests.period_of('daily'); "
        "digests.claim('daily', period, end); digests.build('daily', period)"
    )
    mailbox.delay = 0.03  # so the senders overlap for the whole outbox
    senders = [
        scratch_site.start("shell", "-v0", "-c", SEND, log_name=f"sender{i}") for i in range(4)
    ]
    for sender in senders:
        sender.wait(timeout=300)
    logs = [scratch_site.log(f"sender{i}") for i in range(4)]
    counts = [int(log.split()[-1]) for log in logs]
    assert sum(1 for count in counts if count) >= 2, logs  # they really ran at once
    message_ids = defaultdict(list)
    for recipients, message in mailbox.received():
        message_ids[message["Message-ID"]].append(recipients)
    assert len(message_ids) == CONCURRENT_USERS
    doubled = {mid: r for mid, r in message_ids.items() if len(r) > 1}
    assert doubled == {}
    assert sum(counts) == CONCURRENT_USERS
    assert json.loads(scratch_site.python(STATE).splitlines()[-1]) == {"sent": CONCURRENT_USERS}


def test_a_mail_the_server_refused_goes_out_from_the_cluster_once_the_server_is_back(scratch_site):
    """The mail server is down when the feedback mail's task runs; the cluster schedules
    another try on its own, which is kept across a restart and sends the mail once the
    server is back."""
    from .processes import SMTPServer

    server = SMTPServer()  # its port is chosen, nothing listens yet
    env = {"EMAIL_URL": server.url, "EXTRANET_MAIL_RETRY_DELAY": "2"}
    queue = """
from cms_extranet import mail_tasks
from cms_extranet.feedback.models import Feedback
feedback = Feedback.objects.create(path="/", message="Terug van weg")
mail_tasks.queue("cms_extranet.feedback.tasks.notify_editors", feedback.pk, "http://127.0.0.1/",
                 group="extranet_feedback")
"""
    scratch_site.python(queue, env=env)
    worker = scratch_site.start("qcluster", env=env, log_name="mail-retry")
    try:
        retried = "from django_q.models import Schedule; print(Schedule.objects.filter(func='cms_extranet.mail_tasks.send').count())"
        wait(lambda: scratch_site.python(retried).split()[-1] != "0", 60, message="a retry scheduled")
    finally:
        kill_group(worker)
    # The retry is a schedule in the database: a cluster started later sends it, and with a
    # 30 s guard beat its scheduler runs at once instead of 30 s after the start; so the
    # retry must be due by then, or it waits for the next beat.
    due = (
        "from django.utils import timezone; from django_q.models import Schedule; "
        "print(Schedule.objects.filter(func='cms_extranet.mail_tasks.send', next_run__lte=timezone.now()).count())"
    )
    wait(lambda: scratch_site.python(due).split()[-1] != "0", 30, message="the retry due")
    server.start()
    worker = scratch_site.start("qcluster", env={**env, "EXTRANET_Q_GUARD_CYCLE": "30"}, log_name="mail-retry")
    try:
        wait(server.mailbox.received, 120, message="the mail once the server is back")
    finally:
        kill_group(worker)
        server.stop()
    subjects = {message["Subject"] for _, message in server.mailbox.received()}
    assert subjects == {"Extranet: nieuwe feedback over /"}


BUILDERS_USERS = 2000  # four batches


def test_two_builders_at_once_build_each_digest_once(scratch_site, mailbox):
    """Two builder processes take batches of the same run at the same time: together they
    build every due user's digest exactly once. On PostgreSQL (SKIP LOCKED) each builds
    some; on SQLite, where a run starts one builder, two started anyway take turns."""
    on_postgres = "postgres" in scratch_site.url
    scratch_site.python(
        seed("bouwer", BUILDERS_USERS)
        + "period, end = digests.period_of('daily'); digests.claim('daily', period, end)"
    )
    go = time.time() + 8  # both processes are up by then: they start building together
    build = (
        f"import time; time.sleep(max(0, {go} - time.time())); "
        "from cms_extranet.follow import digests; "
        "print(digests.build('daily', digests.period_of('daily')[0]))"
    )
    builders = [
        scratch_site.start("shell", "-v0", "-c", build, log_name=f"builder{i}") for i in range(2)
    ]
    for builder in builders:
        builder.wait(timeout=300)
    logs = [scratch_site.log(f"builder{i}") for i in range(2)]
    counts = [int(log.split()[-1]) for log in logs]
    assert sum(counts) == BUILDERS_USERS, logs
    if on_postgres:
        assert all(counts), logs
    assert json.loads(scratch_site.python(STATE).splitlines()[-1]) == {"pending": BUILDERS_USERS}
    scratch_site.python(SEND)
    message_ids = defaultdict(list)
    for recipients, message in mailbox.received():
        message_ids[message["Message-ID"]].append(recipients)
    assert len(message_ids) == BUILDERS_USERS
    assert all(len(r) == 1 for r in message_ids.values())
    assert json.loads(scratch_site.python(STATE).splitlines()[-1]) == {"sent": BUILDERS_USERS}
