"""A real browser for the tests that need one: Debian's Chromium, driven by Playwright,
against the site's web server running on a scratch site (tests/processes.py).

Playwright runs its own event loop while it is started, and Django refuses the ORM in
the pytest process while a loop runs (SynchronousOnlyOperation): start the browser for
one module at a time, never for the whole session, and read the database through
``ScratchSite.python``.
"""

import contextlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .processes import ROOT, free_port, kill_group, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")


def artifacts_dir():
    """Where screenshots go: TEST_ARTIFACTS_DIR, else var/test-artifacts (git-ignored)."""
    path = Path(os.environ.get("TEST_ARTIFACTS_DIR") or ROOT / "var" / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def chromium():
    """A headless Chromium; fails under CI=true when it is missing, else skips."""
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def web_server(site, env=None):
    """The site's runserver (tests/runserver.py) on a free port; its base URL. DEBUG is off in the test
    settings, so --insecure lets it serve the static files. No cluster runs beside it
    (the scratch site's schedules belong to the cluster tests): the server runs its
    django-q2 tasks, such as mails, itself."""
    port = free_port()
    process = site.start(
        "--insecure", "--noreload", f"127.0.0.1:{port}", log_name="web", script="tests/runserver.py",
        env={"EXTRANET_Q_SYNC": "1", "SITE_URL": f"http://127.0.0.1:{port}", **(env or {})},
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        kill_group(process)


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
