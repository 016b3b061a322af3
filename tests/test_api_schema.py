"""The API against its own OpenAPI schema, schema-driven (Schemathesis): a real running
site, its schema as the site serves it at /api/v2/schema/, every operation called with
generated valid and invalid input, anonymously and as a partner with profiles. No answer
may be a server error, and every answer (status, content type, headers, body) must be one
the schema declares.

The unsafe calls are made with the CSRF token, as a front end makes them, so that they
reach the API's code: following and unfollowing, Mailing and feedback (whose rate limit
answers 429, as the schema declares). Nothing is excluded.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .browser import web_server
from .processes import ScratchSite

pytestmark = pytest.mark.processes

PASSWORD = "extranet-demo"
PARTNER = "multi.partner"  # holds mlp and das (SPEC §12)

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])
# Generated cases per operation, beside the coverage and stateful phases' own: each run
# takes under a minute on two cores. One worker: the same seed makes the same calls in
# the same order.
MAX_EXAMPLES = 10
SEED = 20261204


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    site = ScratchSite(tmp_path_factory.mktemp("schema_site"))
    try:
        with web_server(site) as url:
            yield url
    finally:
        site.close()


def session_cookies(base_url, username=None):
    """The csrftoken cookie the site's login page sets, and with a username the session
    of that user, logged in through the site's form."""
    session = requests.Session()
    session.get(f"{base_url}/inloggen/", timeout=30).raise_for_status()
    token = session.cookies["csrftoken"]
    if username is not None:
        answer = session.post(
            f"{base_url}/inloggen/",
            data={"username": username, "password": PASSWORD, "next": "/", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_url}/inloggen/"},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text
        token = session.cookies["csrftoken"]  # rotated at login
        me = session.get(f"{base_url}/api/v2/extranet/me/", timeout=30).json()
        assert me["username"] == username and me["can_follow"], me
    return {"cookies": session.cookies.get_dict(), "token": token}


def schemathesis_run(base_url, credentials, directory, *options):
    cookie = "; ".join(f"{name}={value}" for name, value in credentials["cookies"].items())
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"), "run", f"{base_url}/api/v2/schema/",
            "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", str(SEED),
            "--workers", "1",
            "--generation-database", "none",
            "--header", f"Cookie: {cookie}",
            "--header", f"X-CSRFToken: {credentials['token']}",
            "--request-timeout", "30",
            "--no-color",
            "--output-truncate", "true",
            *options,
        ],
        cwd=directory, capture_output=True, text=True, timeout=240,
    )


@pytest.mark.parametrize("username", [None, PARTNER], ids=["anonymous", "partner"])
def test_every_api_answer_is_one_the_schema_declares(base_url, username, tmp_path):
    # The partner's run leaves logging out to the anonymous one: it would end the session
    # the run is about.
    options = ["--exclude-path", "/api/v2/extranet/logout/"] if username else []
    result = schemathesis_run(base_url, session_cookies(base_url, username), tmp_path, *options)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    # Every operation of the schema was called, none filtered out or left untested.
    selected, total = re.search(r"Selected: (\d+)/(\d+)", result.stdout).groups()
    tested = re.search(r"Tested: (\d+)", result.stdout).group(1)
    assert int(total) >= 18 and int(selected) == int(total) - len(options) // 2 == int(tested), result.stdout
