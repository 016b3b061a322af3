"""The feedback form behind every page's `Geef feedback` (SPEC §10), and the editors' side."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page

from cms_extranet.feedback.models import Feedback

pytestmark = pytest.mark.django_db

SECURED = "/extranet/mlp/richtlijnen/"
SECURED_PATH = "/mlp/richtlijnen/"
PUBLIC_PATH = "/hoe-krijg-je-toegang/"
ADMIN = "/admin/extranet_feedback/feedback/"
RATE_LIMITED = (
    "Je hebt de voorbije minuten al veel feedback gestuurd. Probeer het over enkele minuten opnieuw."
)


def body(response):
    return response.content.decode()


def main(response):
    """What the page itself says: the top bar's login link carries the visitor's own URL."""
    return body(response).split("<main", 1)[1].split("</main>", 1)[0]


def footer_link(html):
    href = re.search(r'<a href="([^"]*)">Geef feedback</a>', html).group(1)
    return href.replace("&amp;", "&")


def secured_title():
    return Page.objects.get(url_path=SECURED).title


def submit(client, committed, path=None, extra=None, **data):
    url = "/feedback/" if path is None else f"/feedback/?pagina={path}"
    data = {"message": "De link naar het formulier werkt niet.", **data}
    return committed(client.post, url, data, **(extra or {}))


def denied(response):
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


# The path of a visitor

def test_feedback_from_a_page_end_to_end(login, committed, mailoutbox):
    client = login("mlp.partner")
    title = secured_title()
    link = footer_link(body(client.get(SECURED_PATH)))
    assert link == f"/feedback/?pagina={SECURED_PATH}"

    form = client.get(link)
    assert form.status_code == 200
    assert f"Je geeft feedback over: <strong>{title}</strong>" in body(form)
    assert "Bericht" in body(form) and "E-mailadres" in body(form)

    response = committed(
        client.post,
        link,
        {"message": "De termijn in punt 3 klopt niet.", "name": "Marie Peeters", "email": "marie@example.be"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.page.url_path == SECURED and feedback.path == SECURED_PATH
    assert feedback.user.username == "mlp.partner"
    assert (feedback.message, feedback.name, feedback.email) == (
        "De termijn in punt 3 klopt niet.", "Marie Peeters", "marie@example.be",
    )
    assert not feedback.handled

    thanks = client.get(response["Location"])
    assert "Bedankt voor je feedback" in body(thanks)
    assert f'<a href="{SECURED_PATH}">Terug naar {title}</a>' in body(thanks)

    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == ["admin@example.be", "redacteur@example.be"]
    mail = mailoutbox[0]
    assert mail.subject == f"Extranet: nieuwe feedback over {title}"
    assert "De termijn in punt 3 klopt niet." in mail.body
    assert "Marie Peeters" in mail.body and "marie@example.be" in mail.body
    assert f"http://testserver{SECURED_PATH}" in mail.body
    assert f"{settings.WAGTAILADMIN_BASE_URL}{ADMIN}inspect/{feedback.pk}/" in mail.body
    assert mail.reply_to == ["marie@example.be"]


def test_the_form_is_filled_in_with_the_logged_in_users_name_and_email(login):
    html = body(login("mlp.partner").get("/feedback/"))
    assert 'value="Marie Peeters"' in html and 'value="mlp.partner@example.be"' in html


def test_anonymous_feedback_on_a_public_page_is_stored_without_a_user(client, committed, mailoutbox):
    title = Page.objects.get(url_path="/extranet" + PUBLIC_PATH).title
    assert f"Je geeft feedback over: <strong>{title}</strong>" in body(client.get(f"/feedback/?pagina={PUBLIC_PATH}"))
    response = submit(client, committed, PUBLIC_PATH)
    feedback = Feedback.objects.get()
    assert feedback.user is None and feedback.page.title == title
    assert f"Terug naar {title}" in body(client.get(response["Location"]))
    assert len(mailoutbox) == 2


def test_the_notification_goes_to_the_configured_addresses_when_set(client, committed, mailoutbox, settings):
    settings.EXTRANET_FEEDBACK_RECIPIENTS = ["redactie@vdab.example"]
    submit(client, committed, PUBLIC_PATH)
    assert [mail.to for mail in mailoutbox] == [["redactie@vdab.example"]]


def test_mailed_links_use_the_site_address_not_the_requests_host(client, committed, mailoutbox, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://extranet.vdab.example"
    submit(client, committed, PUBLIC_PATH, extra={"HTTP_HOST": "127.0.0.1"})
    body = mailoutbox[0].body
    assert f"https://extranet.vdab.example{PUBLIC_PATH}" in body
    assert "127.0.0.1" not in body and "testserver" not in body


def test_validation_errors_keep_the_text(client, committed, mailoutbox):
    response = committed(
        client.post,
        f"/feedback/?pagina={PUBLIC_PATH}",
        {"message": "Mijn opmerking over de toegang.", "name": "Jan", "email": "geen-adres"},
    )
    html = body(response)
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in" in html
    assert "Mijn opmerking over de toegang.</textarea>" in html
    assert 'value="Jan"' in html and 'value="geen-adres"' in html

    response = committed(client.post, "/feedback/", {"message": "   ", "name": "Jan"})
    assert "Schrijf je bericht." in body(response)

    long_text = "x" * 5001
    response = committed(client.post, "/feedback/", {"message": long_text})
    assert "Je bericht is te lang: maximaal 5000 tekens, het zijn er 5001." in body(response)
    assert long_text in body(response)
    assert Feedback.objects.count() == 0 and mailoutbox == []


# Bots and floods

def test_the_honeypot_is_hidden_labelled_and_left_out_of_the_tab_order(client):
    html = body(client.get("/feedback/"))
    field = re.search(r'<div class="visually-hidden">(.*?)</div>', html, re.S).group(1)
    assert "Laat dit veld leeg" in field
    assert 'autocomplete="off"' in field and 'tabindex="-1"' in field and 'name="website"' in field


def test_a_filled_honeypot_stores_nothing_says_why_and_keeps_the_text(client, committed, mailoutbox):
    response = submit(client, committed, PUBLIC_PATH, website="http://spam.example")
    html = body(response)
    assert "Je bericht werd niet verstuurd: het veld &#x27;Laat dit veld leeg&#x27; was ingevuld." in html
    assert "De link naar het formulier werkt niet.</textarea>" in html
    assert "http://spam.example" not in html  # a person whose browser filled it can resend
    assert Feedback.objects.count() == 0 and mailoutbox == []


def test_the_rate_limit_refuses_the_next_submission_of_that_client_only(client, committed, mailoutbox, settings):
    settings.EXTRANET_FEEDBACK_RATE_LIMIT = (3, 600)
    for _ in range(3):
        assert submit(client, committed, PUBLIC_PATH).status_code == 302
    mailoutbox.clear()

    response = committed(client.post, f"/feedback/?pagina={PUBLIC_PATH}", {"message": "Nog één opmerking."})
    assert response.status_code == 429
    assert RATE_LIMITED in body(response)
    assert "Nog één opmerking.</textarea>" in body(response)
    assert Feedback.objects.count() == 3 and mailoutbox == []

    other = Client(REMOTE_ADDR="192.0.2.44")
    assert committed(other.post, "/feedback/", {"message": "Van elders."}).status_code == 302
    assert Feedback.objects.count() == 4


def test_the_rate_limit_has_a_default_of_five_per_ten_minutes(client, committed, settings):
    del settings.EXTRANET_FEEDBACK_RATE_LIMIT
    for _ in range(5):
        assert submit(client, committed).status_code == 302
    assert submit(client, committed).status_code == 429
    Feedback.objects.update(created_at=Feedback.objects.first().created_at.replace(year=2000))
    assert submit(client, committed).status_code == 302


def test_the_client_is_known_by_a_keyed_hash_not_by_its_address(client, committed):
    submit(client, committed)
    submit(Client(REMOTE_ADDR="192.0.2.44"), committed)
    keys = list(Feedback.objects.values_list("client_key", flat=True))
    assert len(set(keys)) == 2
    assert all(len(key) == 64 and "127.0.0.1" not in key and "192.0.2.44" not in key for key in keys)


# What the form says about the page

@pytest.mark.parametrize("username", [None, "werkgever"])
def test_a_secured_page_is_never_named_to_who_may_not_read_it(client, login, committed, username):
    client = login(username) if username else client
    title = secured_title()
    form = client.get(f"/feedback/?pagina={SECURED_PATH}")
    assert form.status_code == 200
    assert title not in body(form)
    assert "Je geeft feedback over" not in main(form) and SECURED_PATH not in main(form)

    response = committed(client.post, f"/feedback/?pagina={SECURED_PATH}", {"message": "Iets over deze pagina."})
    feedback = Feedback.objects.get()
    assert feedback.page.url_path == SECURED and feedback.path == SECURED_PATH

    thanks = client.get(response["Location"])
    assert "Bedankt voor je feedback" in body(thanks)
    assert title not in body(thanks)
    assert SECURED_PATH not in main(thanks) and "Terug naar" not in main(thanks)


def test_a_path_that_is_no_page_is_kept_but_names_nothing(client, committed):
    form = client.get("/feedback/?pagina=/bestaat-niet/")
    assert "Je geeft feedback over" not in main(form)
    submit(client, committed, "/bestaat-niet/")
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.path) == (None, "/bestaat-niet/")


@pytest.mark.parametrize(
    "forged",
    ["https://evil.example/mlp/", "//evil.example/mlp/", "/\\evil.example/", "javascript:alert(1)", "mlp/", "%00%0A", "/mlp/%0Aevil"],
)
def test_a_forged_page_is_ignored(client, committed, forged):
    form = client.get("/feedback/", {"pagina": forged})
    assert form.status_code == 200
    assert "Je geeft feedback over" not in main(form)
    response = committed(client.post, "/feedback/?" + f"pagina={forged}", {"message": "Vervalst."})
    assert response["Location"] == "/feedback/bedankt/"
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.path) == (None, "")


def test_the_home_page_is_found_at_the_root(client, committed):
    submit(client, committed, "/")
    assert Feedback.objects.get().page.url_path == "/extranet/"


# The editors' side

@pytest.fixture
def submissions(client, committed, login):
    submit(client, committed, PUBLIC_PATH, message="Publieke pagina: een tikfout.", name="Jan Peeters", email="jan@example.be")
    mlp = login("mlp.partner")
    submit(mlp, committed, SECURED_PATH, message="Richtlijn 3 is onduidelijk.", extra={"REMOTE_ADDR": "192.0.2.5"})
    return Feedback.objects.order_by("pk")


def test_editors_see_the_feedback_in_the_admin_and_filter_it(login, submissions):
    editor = login("redacteur")
    public, secured = submissions
    html = body(editor.get(ADMIN))
    assert "Publieke pagina: een tikfout." in html and "Richtlijn 3 is onduidelijk." in html
    assert secured_title() in html and "Jan Peeters · jan@example.be" in html
    assert "Feedback" in body(editor.get("/admin/"))

    secured.handled = True
    secured.save()
    html = body(editor.get(ADMIN, {"handled__exact": "0"}))
    assert "Publieke pagina: een tikfout." in html and "Richtlijn 3 is onduidelijk." not in html
    html = body(editor.get(ADMIN, {"handled__exact": "1"}))
    assert "Publieke pagina: een tikfout." not in html and "Richtlijn 3 is onduidelijk." in html

    section = Page.objects.get(url_path="/extranet/mlp/")
    html = body(editor.get(ADMIN, {"rubriek": section.pk}))
    assert "Publieke pagina: een tikfout." not in html and "Richtlijn 3 is onduidelijk." in html

    html = body(editor.get(ADMIN, {"q": "tikfout"}))
    assert "Publieke pagina: een tikfout." in html and "Richtlijn 3 is onduidelijk." not in html


def test_editors_export_the_feedback_as_csv(login, submissions):
    response = login("redacteur").get(ADMIN, {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Ontvangen op", "Pagina", "Adres", "Naam", "E-mailadres", "Ingelogd als", "Bericht",
        "Status", "Behandeld door", "Behandeld op",
    ]
    assert len(rows) == 3
    public = next(row for row in rows if row[6] == "Publieke pagina: een tikfout.")
    assert public[2:6] == [PUBLIC_PATH, "Jan Peeters", "jan@example.be", ""]
    assert public[7] == "Open"
    assert any(row[5] == "mlp.partner" and row[1] == secured_title() for row in rows)
    xlsx = login("redacteur").get(ADMIN, {"export": "xlsx"})
    assert xlsx.status_code == 200 and 'filename="feedback.xlsx"' in xlsx["Content-Disposition"]


def test_a_typed_formula_is_exported_as_text(client, committed, login):
    submit(client, committed, message="=HYPERLINK(\"http://evil.example\")")
    rows = list(csv.reader(io.StringIO(
        b"".join(login("redacteur").get(ADMIN, {"export": "csv"}).streaming_content).decode()
    )))
    assert rows[1][6] == "'=HYPERLINK(\"http://evil.example\")"


def test_an_editor_marks_feedback_handled_and_back(login, submissions):
    editor = login("redacteur")
    feedback = submissions.first()
    html = body(editor.get(f"{ADMIN}inspect/{feedback.pk}/"))
    assert "Publieke pagina: een tikfout." in html and "jan@example.be" in html
    assert re.search(r"behandeld</dt>\s*<dd>nee</dd>", html, re.IGNORECASE) and "False" not in html

    edit = editor.get(f"{ADMIN}edit/{feedback.pk}/")
    assert edit.status_code == 200 and "Publieke pagina: een tikfout." in body(edit)
    response = editor.post(f"{ADMIN}edit/{feedback.pk}/", {"handled": "on", "message": "overschreven"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.handled and feedback.handled_by.username == "redacteur" and feedback.handled_at
    assert feedback.message == "Publieke pagina: een tikfout."
    assert "Behandeld" in body(editor.get(ADMIN, {"handled__exact": "1"}))
    assert re.search(r"behandeld</dt>\s*<dd>ja</dd>", body(editor.get(f"{ADMIN}inspect/{feedback.pk}/")), re.IGNORECASE)

    editor.post(f"{ADMIN}edit/{feedback.pk}/", {})
    feedback.refresh_from_db()
    assert not feedback.handled and feedback.handled_by is None and feedback.handled_at is None


def test_editors_cannot_create_or_delete_feedback(login, submissions):
    editor = login("redacteur")
    feedback = submissions.first()
    assert denied(editor.get(f"{ADMIN}create/"))
    assert denied(editor.post(f"{ADMIN}create/", {"message": "Zelf verzonnen."}))
    assert denied(editor.post(f"{ADMIN}delete/{feedback.pk}/"))
    assert Feedback.objects.count() == 2
    html = body(editor.get(ADMIN))
    assert f"{ADMIN}create/" not in html and f"{ADMIN}delete/" not in html


def test_a_partner_cannot_open_the_feedback_in_the_admin(login, submissions):
    partner = login("mlp.partner")
    response = partner.get(ADMIN)
    assert response.status_code in (302, 403)
    assert "Publieke pagina: een tikfout." not in body(response)
    assert partner.get(ADMIN, {"export": "csv"}).status_code in (302, 403)


def test_a_mail_the_server_refused_goes_out_once_it_is_back(client, committed, settings, smtp_server, mailbox):
    """A mail server that is down fails nothing: the task is scheduled again a minute later,
    and then sends; after EXTRANET_MAIL_ATTEMPTS it fails for good, visible in the admin."""
    import ast
    import datetime

    from django.utils import timezone
    from django_q.models import Failure, Schedule

    from cms_extranet import mail_tasks

    from .processes import free_port, settings_for_smtp

    settings_for_smtp(settings, smtp_server)
    settings.EMAIL_PORT = free_port()  # nothing listens: the server is down
    settings.EXTRANET_FEEDBACK_RECIPIENTS = ["redactie@vdab.example"]
    submit(client, committed, PUBLIC_PATH)
    assert Feedback.objects.count() == 1 and mailbox.received() == []
    retry = Schedule.objects.get(func="cms_extranet.mail_tasks.send")
    assert ast.literal_eval(retry.kwargs) == {"attempt": 2}
    assert timezone.now() < retry.next_run <= timezone.now() + datetime.timedelta(seconds=60)
    assert not Failure.objects.exists()

    settings.EMAIL_PORT = smtp_server.port  # back
    mail_tasks.send(*ast.literal_eval(retry.args), **ast.literal_eval(retry.kwargs))
    [(recipients, message)] = mailbox.received()
    assert recipients == ["redactie@vdab.example"]
    assert message["Subject"].startswith("Extranet: nieuwe feedback")

    settings.EMAIL_PORT = free_port()
    settings.EXTRANET_MAIL_ATTEMPTS = 3
    with pytest.raises(ConnectionError):
        mail_tasks.send(*ast.literal_eval(retry.args), attempt=3)


def test_failed_tasks_are_listed_for_the_agency(login):
    from django.utils import timezone
    from django_q.models import Task

    Task.objects.create(
        id="f" * 32, name="mail-feedback-mislukt", func="cms_extranet.mail_tasks.send",
        started=timezone.now(), stopped=timezone.now(), success=False, result="ConnectionRefusedError",
    )
    html = login("admin").get("/admin/django_q/failure/").content.decode()
    assert "mail-feedback-mislukt" in html and "Mislukte taken" in html


def test_a_database_too_busy_to_store_feedback_keeps_the_text_and_says_try_again(client, committed, monkeypatch):
    from django.db import OperationalError

    from cms_extranet.feedback import views

    def locked(key):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "lock_client", locked)
    text = "De link naar het formulier werkt niet."
    response = submit(client, committed, PUBLIC_PATH, message=text)
    assert response.status_code == 503
    html = body(response)
    assert "probeer opnieuw" in html and text in html
    assert not Feedback.objects.exists()
