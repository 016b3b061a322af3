"""Toegangsbeheer end to end in a real browser: a partner administrator adds a user and
requests Extranet voor Uitbetalingsinstellingen for them, a VDAB access officer approves
it in the admin, and the user sets a password through the mailed link and reads a page
of that profile. Against the site's own web server and a real SMTP server."""

import re
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import expect

from .browser import artifacts_dir, log_in
from .conftest import PASSWORD

PROFILE = "Extranet voor Uitbetalingsinstellingen"
SECTION_URL = "/uitbetalingsinstellingen/"  # url_path /extranet/uitbetalingsinstellingen/
SECTION_TITLE = "Extranet voor Uitbetalingsinstellingen: informatie"
ACCESS_SUBJECT = "VDAB: Je toegang tot Extranet"
GRANTED_SUBJECT = "No reply: Je aangevraagde toegangsrechten werden toegekend."
PASSWORD_LINK = re.compile(r"https?://\S+/wachtwoord-kiezen/[^/\s]+/[^/\s]+/")


def mails_to(mailbox, address):
    return [message for recipients, message in mailbox.received() if address in recipients]


def test_an_administrator_requests_access_vdab_approves_and_the_user_logs_in(new_page, base_url, mailbox):
    suffix = uuid.uuid4().hex[:8]
    first_name, last_name = "Lien", f"Vermeulen {suffix}"
    name, email = f"{first_name} {last_name}", f"lien.{suffix}@hulpkas.example"
    new_password = f"Zomer-{suffix}-Brussel"

    # 1. The partner administrator adds the user.
    admin = new_page()
    log_in(admin, base_url, "uitbetaling.admin", PASSWORD)
    admin.goto(f"{base_url}/toegangsbeheer/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Toegangsbeheer")
    admin.get_by_role("link", name="Gebruiker toevoegen").click()
    admin.get_by_label("Voornaam").fill(first_name)
    admin.get_by_label("Familienaam").fill(last_name)
    admin.get_by_label("E-mailadres").fill(email)
    admin.get_by_role("button", name="Gebruiker aanmaken").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(name)
    expect(admin.get_by_role("status")).to_contain_text(f"{name} is aangemaakt")
    expect(admin.get_by_role("definition").first).to_have_text(email)  # the login

    # 2. ... and requests the profile, which waits for VDAB.
    admin.get_by_label(PROFILE).check()
    admin.get_by_role("button", name="Toegangen bewaren").click()
    expect(admin.get_by_role("status")).to_contain_text(
        f"De aanvraag voor {PROFILE} wacht op goedkeuring door VDAB."
    )
    expect(admin.get_by_label(PROFILE)).to_be_checked()
    request_row = admin.get_by_role("row").filter(has_text=PROFILE)  # under Aanvragen
    expect(request_row.get_by_role("cell").nth(2)).to_have_text("Wacht op goedkeuring door VDAB")
    admin.screenshot(path=artifacts_dir() / "access-request-pending.png", full_page=True)

    # 3. The VDAB access officer approves the request in the admin.
    officer = new_page()
    officer.goto(f"{base_url}/admin/login/")
    officer.get_by_label("Gebruikersnaam").fill("toegang.vdab")
    officer.get_by_label("Wachtwoord").fill(PASSWORD)
    officer.get_by_role("button", name="Inloggen").click()
    expect(officer).to_have_url(re.compile(r"/admin/$"))
    officer.goto(f"{base_url}/admin/extranet_access/accessrequest/")
    row = officer.get_by_role("row").filter(has_text=name)
    expect(row).to_have_count(1)
    row.hover()
    row.get_by_role("link", name="Beslissen").click()
    expect(officer.get_by_text(name)).to_be_visible()
    officer.get_by_role("button", name="Goedkeuren").click()
    expect(officer.get_by_text(f"Goedgekeurd: {PROFILE} – {name}.")).to_be_visible()
    officer.screenshot(path=artifacts_dir() / "access-request-approved.png", full_page=True)

    # 4. The user received their login, the decision, then their login again.
    mails = mails_to(mailbox, email)
    assert [mail["Subject"] for mail in mails] == [ACCESS_SUBJECT, GRANTED_SUBJECT, ACCESS_SUBJECT]
    body = mails[-1].get_body(("plain",)).get_content()
    assert f"Je login: {email}" in body
    link = PASSWORD_LINK.search(body).group()
    assert link.startswith(base_url + "/")  # the site the officer used
    link = base_url + urlsplit(link).path

    # 5. The user chooses a password through the link, logs in and reads the section.
    user = new_page()
    user.goto(link)
    expect(user.get_by_role("heading", level=1)).to_have_text("Kies je wachtwoord")
    user.get_by_label("Nieuw wachtwoord:", exact=True).fill(new_password)
    user.get_by_label("Nieuw wachtwoord bevestigen:", exact=True).fill(new_password)
    user.get_by_role("button", name="Wachtwoord instellen").click()
    expect(user).to_have_url(f"{base_url}/inloggen/")
    expect(user.get_by_role("status")).to_have_text(
        "Je wachtwoord is ingesteld. Log nu in met je login en je nieuwe wachtwoord."
    )
    log_in(user, base_url, email, new_password)
    user.goto(base_url + SECTION_URL)
    expect(user.get_by_role("heading", level=1)).to_have_text(SECTION_TITLE)
    user.screenshot(path=artifacts_dir() / "access-user-reads-section.png", full_page=True)

    # The link works once.
    user.goto(link)
    expect(user.get_by_role("alert")).to_contain_text("Deze link werkt niet meer")
    expect(user.get_by_label("Nieuw wachtwoord:", exact=True)).to_have_count(0)
