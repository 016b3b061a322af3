"""Digest mails (SPEC §9): what they list, when they go, and that each goes once."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule
from wagtail.models import Page

from cms_extranet.follow import digests
from cms_extranet.follow.models import Digest, Follow, MailingPreference, OutboxMail, PageChange

from .conftest import set_restriction

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
MONDAY = datetime.datetime(2030, 1, 7, 8, 0, tzinfo=BRUSSELS)  # a run on Monday 7 January
IN_WINDOW = datetime.datetime(2030, 1, 6, 12, 0, tzinfo=BRUSSELS)
NEWS = "/extranet/mlp/nieuws/"
MANUAL = "/extranet/mlp/richtlijnen/handleiding/"


@pytest.fixture(autouse=True)
def quiet(db):
    """No follows, no mailings and no changes but the test's own."""
    Follow.objects.all().delete()
    MailingPreference.objects.all().delete()
    PageChange.objects.all().delete()


def page_at(url_path):
    return Page.objects.get(url_path=url_path)


def follower(username, *url_paths, mailing="daily"):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    MailingPreference.objects.update_or_create(user=user, defaults={"mailing": mailing})
    for url_path in url_paths:
        Follow.objects.create(user=user, page=page_at(url_path))
    return user


def change(url_path, at=IN_WINDOW, note="", minor=False):
    page = page_at(url_path).specific
    page.save_revision().publish()
    PageChange.objects.filter(page=page).update(published_at=at, note=note, minor=minor)


def sent_to(username):
    return [m for m in mail.outbox if m.to == [f"{username}@example.be"]]


def test_a_daily_follower_gets_one_mail_listing_the_changed_page():
    user = follower("mlp.partner", NEWS, MANUAL)
    change(NEWS, note="Nieuwe termijnen voor 2030.")
    assert digests.run("daily", MONDAY) == 1
    [message] = mail.outbox
    assert message.to == ["mlp.partner@example.be"]
    assert message.subject == "Extranet: wijzigingen aan je gevolgde pagina's (1)"
    assert "Beste Marie Peeters," in message.body
    assert "Nieuws Mijn Loopbaan voor Partners\n  http://testserver/mlp/nieuws/" in message.body
    assert "6 januari 2030, 12:00: Nieuwe termijnen voor 2030." in message.body
    assert "http://testserver/profiel/" in message.body
    assert "Handleiding" not in message.body  # followed, but not changed
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<a href="http://testserver/mlp/nieuws/"' in html
    assert "Nieuwe termijnen voor 2030." in html and 'href="http://testserver/profiel/"' in html
    digest = Digest.objects.get(user=user)
    assert message.extra_headers["Message-ID"] == digest.mail.message_id
    assert digest.mail.message_id == digests.message_id(user.pk, "daily", datetime.date(2030, 1, 7))
    assert message.extra_headers["List-Unsubscribe"] == f"<{digest.mail.unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest.mail.unsubscribe_url in message.body
    assert digest.status == "sent"


def test_nothing_changed_means_no_mail_and_a_skipped_digest_with_the_reason():
    user = follower("mlp.partner", NEWS)
    change(NEWS, at=IN_WINDOW - datetime.timedelta(days=2))  # before the window
    assert digests.run("daily", MONDAY) == 0
    assert mail.outbox == []
    digest = Digest.objects.get(user=user)
    assert (digest.status, digest.reason) == ("skipped", "Geen wijzigingen aan gevolgde pagina's")


def test_a_minor_change_is_not_mailed():
    follower("mlp.partner", NEWS, MANUAL)
    change(NEWS, minor=True, note="Tikfout")
    change(MANUAL)
    digests.run("daily", MONDAY)
    [message] = mail.outbox
    assert "Handleiding Mijn Loopbaan voor Partners" in message.body
    assert "Nieuws" not in message.body and "Tikfout" not in message.body


def test_a_page_the_user_can_no_longer_read_is_left_out():
    follower("mlp.partner", NEWS)
    follower("das.partner", "/extranet/das/nieuws/")
    change(NEWS)
    change("/extranet/das/nieuws/")
    set_restriction(page_at("/extranet/mlp/"), "profiles", ["das"])
    PageChange.objects.filter(published_at__gt=IN_WINDOW).delete()  # the restriction's publish
    digests.run("daily", MONDAY)
    assert sent_to("mlp.partner") == []
    assert len(sent_to("das.partner")) == 1
    assert Digest.objects.get(user__username="mlp.partner").status == "skipped"


def test_a_period_is_mailed_once_whatever_runs_repeat():
    follower("mlp.partner", NEWS)
    change(NEWS)
    digests.run("daily", MONDAY)
    digests.run("daily", MONDAY + datetime.timedelta(hours=3))  # same period, run again
    call_command("send_digests", "--daily", verbosity=0)  # the operator's run: another period
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(user__username="mlp.partner", period="2030-01-07").count() == 1


def test_the_next_digest_lists_only_what_changed_since_the_previous_one():
    follower("mlp.partner", NEWS, MANUAL)
    change(NEWS)
    digests.run("daily", MONDAY)
    PageChange.objects.all().delete()
    change(MANUAL, at=MONDAY + datetime.timedelta(hours=2))
    change(NEWS, at=MONDAY - datetime.timedelta(hours=3))  # already in Monday's digest
    digests.run("daily", MONDAY + datetime.timedelta(days=1))
    first, second = mail.outbox
    assert "Nieuws" in first.body and "Handleiding" not in first.body
    assert "Handleiding" in second.body and "Nieuws" not in second.body


def test_a_user_who_missed_runs_gets_everything_since_their_previous_digest():
    follower("mlp.partner", NEWS, MANUAL)
    change(NEWS)
    digests.run("daily", MONDAY)
    PageChange.objects.all().delete()
    change(MANUAL, at=MONDAY + datetime.timedelta(hours=2))  # Tuesday's run never happened
    digests.run("daily", MONDAY + datetime.timedelta(days=2))
    assert "Handleiding" in mail.outbox[-1].body


def test_weekly_followers_get_monday_digests_over_the_week():
    follower("mlp.partner", NEWS, mailing="weekly")
    follower("multi.partner", NEWS, mailing="daily")
    change(NEWS, at=MONDAY - datetime.timedelta(days=5))  # Wednesday
    digests.run("weekly", MONDAY + datetime.timedelta(days=3))  # Thursday: the Monday period
    [weekly] = mail.outbox
    assert weekly.to == ["mlp.partner@example.be"]
    assert "de voorbije week" in weekly.body
    digest = Digest.objects.get(user__username="mlp.partner")
    assert (digest.frequency, digest.period) == ("weekly", datetime.date(2030, 1, 7))
    assert digest.window_start == MONDAY.replace(hour=7) - datetime.timedelta(days=7)


def test_users_without_email_or_mailing_are_skipped_or_not_due():
    user = follower("mlp.partner", NEWS)
    user.email = ""
    user.save()
    follower("das.partner", "/extranet/das/nieuws/", mailing="never")
    change(NEWS)
    change("/extranet/das/nieuws/")
    digests.run("daily", MONDAY)
    assert mail.outbox == []
    assert Digest.objects.get(user=user).reason == "Geen e-mailadres"
    assert not Digest.objects.filter(user__username="das.partner").exists()


def test_a_claimed_digest_left_by_a_crash_is_built_by_the_next_run():
    follower("mlp.partner", NEWS)
    change(NEWS)
    period, end = digests.period_of("daily", MONDAY)
    digests.claim("daily", period, end)  # the worker died here
    assert Digest.objects.get().status == "claimed"
    digests.run("daily", MONDAY)
    assert len(mail.outbox) == 1


def test_the_five_minute_sender_finishes_a_run_that_crashed_while_claiming():
    from cms_extranet.follow.tasks import send_pending_digests

    user = follower("mlp.partner", NEWS)
    follower("das.partner", "/extranet/das/nieuws/")
    change(NEWS)
    change("/extranet/das/nieuws/")
    period, end = digests.period_of("daily", MONDAY)
    # The run died after claiming its first user.
    first = Digest.objects.create(user=user, frequency="daily", period=period, window_end=end)
    assert send_pending_digests() == 2
    assert {m.to[0] for m in mail.outbox} == {"mlp.partner@example.be", "das.partner@example.be"}
    assert set(Digest.objects.values_list("status", flat=True)) == {"sent"}
    assert send_pending_digests() == 0  # nothing left, nothing twice
    assert len(mail.outbox) == 2 and first.pk in Digest.objects.values_list("pk", flat=True)


def test_the_five_minute_sender_with_nothing_to_send_writes_no_mail_file(settings, tmp_path):
    """`make run` mails into files: an idle sender must not leave an empty one every five minutes."""
    from cms_extranet.follow.tasks import send_pending_digests

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    assert send_pending_digests() == 0
    assert list(tmp_path.iterdir()) == []
    follower("mlp.partner", NEWS)
    change(NEWS)
    digests.run("daily", MONDAY)
    assert len(list(tmp_path.iterdir())) == 1  # the same backend, when there is a digest


def test_a_send_that_crashed_is_retried_after_its_lease_with_the_same_message_id(settings):
    follower("mlp.partner", NEWS)
    change(NEWS)
    period, end = digests.period_of("daily", MONDAY)
    digests.claim("daily", period, end)
    digests.build("daily", period)
    # The worker took the row and died before the mail server accepted (or before recording).
    OutboxMail.objects.update(send_started_at=timezone.now())
    assert digests.send_outbox() == 0
    OutboxMail.objects.update(send_started_at=timezone.now() - digests.send_lease())
    assert digests.send_outbox() == 1
    digest = Digest.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == digest.mail.message_id
    assert (digest.status, digest.mail.attempts) == ("sent", 1)


def test_building_takes_queries_per_batch_not_per_user(monkeypatch, django_user_model):
    monkeypatch.setattr(digests, "BATCH_SIZE", 5)
    page = page_at("/extranet/alles-over-extranet/")  # public: every user gets a mail
    users = iter(
        django_user_model.objects.create(username=f"volger{i}", email=f"volger{i}@example.be")
        for i in range(40)
    )

    def queries_to_build(count, day):
        MailingPreference.objects.all().delete()
        for user in [next(users) for _ in range(count)]:
            MailingPreference.objects.create(user=user, mailing="daily")
            Follow.objects.get_or_create(user=user, page=page)
        period, end = digests.period_of("daily", MONDAY + datetime.timedelta(days=day))
        change("/extranet/alles-over-extranet/", at=end - datetime.timedelta(hours=1))
        digests.claim("daily", period, end)
        with CaptureQueriesContext(connection) as queries:
            digests.build("daily", period)
        return len(queries)

    one_batch = queries_to_build(5, 0)
    assert queries_to_build(1, 1) == one_batch  # users in a batch cost no query
    two_batches, three_batches = queries_to_build(10, 2), queries_to_build(11, 3)
    assert two_batches > one_batch
    assert three_batches - two_batches == two_batches - one_batch  # each batch the same


def test_periods_follow_brussels_time_across_daylight_saving():
    spring = datetime.datetime(2030, 3, 31, 9, 0, tzinfo=BRUSSELS)  # clocks went forward at 02:00
    period, end = digests.period_of("daily", spring)
    assert period == datetime.date(2030, 3, 31)
    assert end.astimezone(datetime.UTC) == datetime.datetime(2030, 3, 31, 5, 0, tzinfo=datetime.UTC)
    assert digests.period_of("daily", spring.replace(hour=6))[0] == datetime.date(2030, 3, 30)
    assert digests.period_of("weekly", spring)[0] == datetime.date(2030, 3, 25)


def test_the_schedules_run_daily_and_on_monday_at_seven_and_are_never_retried_while_running():
    daily = Schedule.objects.get(name="Digests dagelijks")
    weekly = Schedule.objects.get(name="Digests wekelijks")
    assert (daily.func, daily.cron) == ("cms_extranet.follow.tasks.send_daily_digests", "0 7 * * *")
    assert (weekly.func, weekly.cron) == ("cms_extranet.follow.tasks.send_weekly_digests", "0 7 * * 1")
    assert daily.intended_date_kwarg == "intended"
    assert timezone.localtime(weekly.next_run, BRUSSELS).weekday() == 0
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]
    assert Schedule.objects.filter(name="Digests versturen").exists()


def test_the_schedules_and_periods_follow_the_digest_settings(settings):
    settings.EXTRANET_DIGEST_HOUR, settings.EXTRANET_DIGEST_WEEKDAY = 6, 4  # Friday 06:00
    call_command("migrate", verbosity=0)  # the app keeps its schedules at every migrate
    daily = Schedule.objects.get(name="Digests dagelijks")
    weekly = Schedule.objects.get(name="Digests wekelijks")
    assert (daily.cron, weekly.cron) == ("0 6 * * *", "0 6 * * 5")
    run = timezone.localtime(weekly.next_run, BRUSSELS)
    assert (run.weekday(), run.hour) == (4, 6) and run > timezone.now()
    saturday = datetime.datetime(2030, 3, 30, 12, tzinfo=BRUSSELS)
    assert digests.period_of("weekly", saturday)[0] == datetime.date(2030, 3, 29)
    assert digests.period_of("daily", saturday.replace(hour=5))[0] == datetime.date(2030, 3, 29)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_command_shows_progress_on_a_terminal_only_and_sends_the_latest_period(capsys):
    follower("mlp.partner", NEWS)
    change(NEWS, at=digests.period_of("daily")[1] - datetime.timedelta(hours=1))
    terminal = Terminal()
    call_command("send_digests", "--daily", stderr=terminal)
    call_command("send_digests", "--daily")  # into a log: no bars garbling it
    out, err = capsys.readouterr()
    assert "1 verstuurd." in out and "0 verstuurd." in out
    assert "opbouwen" in terminal.getvalue() and "versturen" in terminal.getvalue()
    assert err == ""
    assert len(mail.outbox) == 1


def test_the_signed_link_stops_the_mails_without_logging_in(client):
    user = follower("mlp.partner", NEWS)
    url = f"/profiel/mailing/afmelden/{digests.unsubscribe_token(user.pk)}/"
    html = client.get(url).content.decode()
    assert "Geen mails meer ontvangen</button>" in html
    assert MailingPreference.of(user) == "daily"  # a link scanner's GET changes nothing
    response = client.post(url)
    assert "Je krijgt geen mails meer over de pagina's die je volgt." in response.content.decode()
    assert MailingPreference.of(user) == "never"
    assert Follow.objects.filter(user=user).exists()  # still followed, just no mail


def test_the_mail_clients_one_click_post_unsubscribes(client):
    user = follower("mlp.partner", NEWS)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/profiel/mailing/afmelden/{digests.unsubscribe_token(user.pk)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert MailingPreference.of(user) == "never"


def test_a_forged_unsubscribe_link_is_a_404(client):
    user = follower("mlp.partner", NEWS)
    token = digests.unsubscribe_token(user.pk)
    forged = token.replace(token.split(":")[0], str(user.pk + 1), 1)
    assert client.post(f"/profiel/mailing/afmelden/{forged}/").status_code == 404
    assert MailingPreference.of(user) == "daily"


def test_a_digest_reaches_a_real_smtp_server_with_both_parts_and_headers(settings, mailbox, smtp_server):
    from .processes import settings_for_smtp

    settings_for_smtp(settings, smtp_server)
    user = follower("multi.partner", NEWS, "/extranet/das/nieuws/")
    change(NEWS, note="Nieuwe termijnen")
    change("/extranet/das/nieuws/")
    assert digests.run("daily", MONDAY) == 1
    [(recipients, message)] = mailbox.received()
    digest = Digest.objects.get(user=user)
    assert recipients == ["multi.partner@example.be"]
    assert message["Message-ID"] == digest.mail.message_id
    assert message["Subject"] == "Extranet: wijzigingen aan je gevolgde pagina's (2)"
    assert message["List-Unsubscribe"].strip() == f"<{digest.mail.unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Nieuws Digitaal Archief Samenwerking" in part and "Nieuwe termijnen" in part
        assert "http://testserver/profiel/" in part and digest.mail.unsubscribe_url in part
    assert '<html lang="nl-BE">' in html


def test_an_unpublished_page_is_not_listed():
    follower("mlp.partner", NEWS, MANUAL)
    change(NEWS)
    change(MANUAL)
    page_at(MANUAL).specific.unpublish()
    digests.run("daily", MONDAY)
    [message] = mail.outbox
    assert "Nieuws" in message.body and "Handleiding" not in message.body


def test_a_user_who_lost_every_profile_gets_no_digest_even_of_public_pages():
    follower("mlp.zonderopleiding", "/extranet/alles-over-extranet/")
    change("/extranet/alles-over-extranet/")
    digests.run("daily", MONDAY)
    assert mail.outbox == []
    digest = Digest.objects.get(user__username="mlp.zonderopleiding")
    assert (digest.status, digest.reason) == ("skipped", "Geen extranetprofiel meer")


def test_names_and_notes_are_escaped_in_the_html_part(django_user_model):
    user = follower("mlp.partner", NEWS)
    user.first_name = "<b>Marie</b>"
    user.save()
    change(NEWS, note="<script>x</script>")
    digests.run("daily", MONDAY)
    [(html, _mimetype)] = mail.outbox[0].alternatives
    assert "&lt;b&gt;Marie&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "Beste <b>Marie</b> Peeters," in mail.outbox[0].body  # plain text stays plain


def built_but_not_sent():
    period, end = digests.period_of("daily", MONDAY)
    digests.claim("daily", period, end)
    digests.build("daily", period)
    assert OutboxMail.objects.count() == 1 and mail.outbox == []


def test_a_right_withdrawn_between_build_and_send_takes_its_pages_out_of_the_mail():
    from cms_extranet.models import UserRight

    follower("multi.partner", NEWS, "/extranet/das/nieuws/")
    change(NEWS)
    change("/extranet/das/nieuws/")
    built_but_not_sent()
    das_title = page_at("/extranet/das/nieuws/").title
    assert das_title in OutboxMail.objects.get().body_text
    UserRight.objects.filter(account__user__username="multi.partner", right__code="das").delete()
    assert digests.send_outbox() == 1
    [message] = mail.outbox
    assert das_title not in message.body and das_title not in message.alternatives[0][0]
    assert "Nieuws Mijn Loopbaan voor Partners" in message.body
    assert message.subject.endswith("(1)")
    assert message.extra_headers["Message-ID"] == Digest.objects.get().mail.message_id


def test_a_restriction_published_between_build_and_send_takes_the_page_out():
    follower("mlp.partner", NEWS)
    change(NEWS)
    built_but_not_sent()
    set_restriction(page_at("/extranet/mlp/"), "profiles", ["das"])
    assert digests.send_outbox() == 0
    assert mail.outbox == []
    digest = Digest.objects.get()
    assert (digest.status, digest.reason) == ("skipped", "Geen wijzigingen aan gevolgde pagina's")


def test_a_user_who_lost_every_profile_before_the_send_gets_nothing():
    from cms_extranet.models import UserRight

    follower("mlp.partner", NEWS)
    change(NEWS)
    built_but_not_sent()
    UserRight.objects.filter(account__user__username="mlp.partner").delete()
    assert digests.send_outbox() == 0
    assert mail.outbox == []
    digest = Digest.objects.get()
    assert (digest.status, digest.reason) == ("skipped", "Geen extranetprofiel meer")


def test_a_mail_whose_access_did_not_change_is_sent_as_built():
    follower("mlp.partner", NEWS)
    change(NEWS)
    built_but_not_sent()
    built = OutboxMail.objects.get()
    assert digests.send_outbox() == 1
    [message] = mail.outbox
    assert (message.subject, message.body) == (built.subject, built.body_text)


def test_the_sender_leaves_the_mail_server_alone_when_the_outbox_is_empty(settings):
    from .processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # down
    assert digests.send_outbox() == 0  # no task fails every five minutes while it is down
    follower("mlp.partner", NEWS)
    change(NEWS)
    built_but_not_sent()
    with pytest.raises(ConnectionError):
        digests.send_outbox()
