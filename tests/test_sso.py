"""Login through the agency's identity provider (cms_extranet.sso) against a real Keycloak,
in Chromium: the partner signs in on Keycloak's own form and comes back to the page they
asked for; their rights come from the provider's claims, and the trunk decides."""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from .browser import web_server
from .processes import TEST_JVM_OPTS
from keycloak_node import CLIENT_ID, CLIENT_SECRET, Keycloak, missing_tools

pytestmark = pytest.mark.browser

SECURED_URL = "/mlp/richtlijnen/"  # secured for the mlp profile
DAS_URL = "/das/richtlijnen/"  # secured for the das profile


@pytest.fixture(scope="module")
def keycloak(tmp_path_factory):
    missing = missing_tools()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Keycloak cannot run: {missing}")
        pytest.skip(f"Keycloak cannot run: {missing}")
    server = Keycloak(tmp_path_factory.mktemp("keycloak"), java_opts=TEST_JVM_OPTS).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sso_url(scratch_site, keycloak):
    env = {"OIDC_ISSUER": keycloak.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}
    with web_server(scratch_site, env=env) as url:
        yield url


def account(site, username):
    """The site's record of a user: rights, branch, flags, identity link and audit trail."""
    out = site.python(
        f"""
import json
from django.contrib.auth import get_user_model
from cms_extranet.access import user_profiles
from cms_extranet.access_management.models import AuditRecord
user = get_user_model().objects.filter(username={username!r}).first() or get_user_model().objects.filter(email__startswith={username!r}).first()
a = getattr(user, "partner_account", None)
print(json.dumps(user and {{
    "pk": user.pk, "username": user.username, "has_password": user.has_usable_password(),
    "rights": sorted(a.rights.values_list("code", flat=True)) if a else [],
    "vestiging": a.vestiging.identifier if a and a.vestiging else None,
    "auditor": a.is_auditor if a else None, "mlp_training": a.mlp_training_followed if a else None,
    "profiles": sorted(user_profiles(user)),
    "subject": getattr(getattr(user, "identity_link", None), "subject", None),
    "audit": list(AuditRecord.objects.filter(account=a).values_list("actor_name", "reason")) if a else [],
}}))
"""
    )
    return json.loads(out.splitlines()[-1])


def sign_in_at_keycloak(page, username):
    expect(page.locator("#kc-login")).to_be_visible()
    page.locator("#username").fill(username)
    page.locator("#password").fill("extranet-demo")
    page.locator("#kc-login").click()


def test_a_partner_signs_in_at_the_provider_and_reads_the_secured_page_asked_for(new_page, sso_url, scratch_site, keycloak):
    page = new_page()
    page.goto(sso_url + SECURED_URL)
    expect(page).to_have_url(re.compile(r"/inloggen/\?next="))
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    expect(page).to_have_url(re.compile("^" + re.escape(keycloak.issuer)))
    sign_in_at_keycloak(page, "sso.mlp")
    expect(page).to_have_url(sso_url + SECURED_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Richtlijnen Mijn Loopbaan voor Partners")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    created = account(scratch_site, "sso.mlp")
    assert created["rights"] == ["mijn-vdab", "mlp"] and created["profiles"] == ["mlp"]
    assert created["vestiging"] == "VES-ANTWERPEN" and created["mlp_training"] is True
    assert created["subject"] and not created["has_password"]
    [(actor, reason)] = created["audit"]
    assert actor == "Identiteitsprovider" and "mijn-vdab, mlp" in reason


def test_rights_that_give_no_profile_get_the_refusal_and_an_auditor_does_not_get_das(new_page, sso_url, scratch_site):
    for username, url in (("sso.geenprofiel", SECURED_URL), ("sso.auditor", DAS_URL)):
        page = new_page()
        page.goto(f"{sso_url}/inloggen/?next={url}")
        page.get_by_role("link", name="Inloggen met je VDAB-login").click()
        sign_in_at_keycloak(page, username)
        expect(page).to_have_url(sso_url + url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt geen toegang tot deze pagina")
    auditor = account(scratch_site, "sso.auditor")
    assert auditor["rights"] == ["das", "mijn-vdab"] and auditor["auditor"] is True and auditor["profiles"] == []


def test_an_existing_user_is_linked_by_the_verified_email_and_logging_out_ends_the_provider_session(
    new_page, sso_url, scratch_site
):
    before = account(scratch_site, "mlp.partner")
    page = new_page()
    page.goto(f"{sso_url}/inloggen/")
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    sign_in_at_keycloak(page, "mlp.partner")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    linked = account(scratch_site, "mlp.partner")
    assert linked["pk"] == before["pk"] and linked["subject"] and before["subject"] is None
    assert linked["profiles"] == before["profiles"] == ["mlp"]

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(sso_url + "/")
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    # The provider's session ended too: the next login asks for the password again.
    page.goto(f"{sso_url}/inloggen/")
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    expect(page.locator("#password")).to_be_visible()


def test_a_replayed_callback_logs_nobody_in(new_page, sso_url, scratch_site):
    page = new_page()
    callbacks = []
    page.on("request", lambda request: "/inloggen/extern/terug/" in request.url and callbacks.append(request.url))
    page.goto(f"{sso_url}/inloggen/")
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    sign_in_at_keycloak(page, "sso.mlp")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    [callback] = callbacks
    # Another browser with the same code and state (it never asked for them), and the same
    # browser once more after logging out: the state is used up.
    stranger = new_page()
    stranger.goto(callback)
    expect(stranger.get_by_role("link", name="Inloggen", exact=True)).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen", exact=True)).to_be_visible()
    page.goto(callback)
    expect(page.get_by_role("link", name="Inloggen", exact=True)).to_be_visible()


def keycloak_user(keycloak, username):
    [user] = keycloak.admin("GET", f"/users?username={username}&exact=true")
    return user


def set_rights(keycloak, username, rights):
    user = keycloak_user(keycloak, username)
    keycloak.admin("PUT", f"/users/{user['id']}", {**user, "attributes": {**user["attributes"], "extranet_rights": rights}})
    return user


def test_a_right_withdrawn_at_the_provider_with_its_back_channel_logout_ends_the_session_at_once(
    new_page, sso_url, scratch_site, keycloak
):
    # One session at the provider for this user, this test's (earlier tests left theirs).
    keycloak.admin("POST", f"/users/{keycloak_user(keycloak, 'sso.mlp')['id']}/logout")
    [client] = keycloak.admin("GET", f"/clients?clientId={CLIENT_ID}")
    client["attributes"]["backchannel.logout.url"] = f"{sso_url}/inloggen/extern/afmelden/"
    keycloak.admin("PUT", f"/clients/{client['id']}", client)
    page = new_page()
    page.goto(f"{sso_url}/inloggen/?next={SECURED_URL}")
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    sign_in_at_keycloak(page, "sso.mlp")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richtlijnen Mijn Loopbaan voor Partners")

    user = set_rights(keycloak, "sso.mlp", ["mijn-vdab"])
    try:
        keycloak.admin("POST", f"/users/{user['id']}/logout")
        # Keycloak posts the logout token beside its answer to the admin call: within moments.
        for _attempt in range(20):
            page.reload()
            if "/inloggen/" in page.url:
                break
            page.wait_for_timeout(250)
        expect(page).to_have_url(re.compile(r"/inloggen/\?next="))  # logged out: sent to log in
        page.get_by_role("link", name="Inloggen met je VDAB-login").click()
        sign_in_at_keycloak(page, "sso.mlp")
        expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt geen toegang tot deze pagina")
        assert account(scratch_site, "sso.mlp")["rights"] == ["mijn-vdab"]
    finally:
        set_rights(keycloak, "sso.mlp", ["mijn-vdab", "mlp"])


def test_a_forged_or_replayed_back_channel_logout_ends_nothing(sso_url):
    import urllib.error
    import urllib.parse
    import urllib.request

    def post(token):
        data = urllib.parse.urlencode({"logout_token": token}).encode()
        try:
            return urllib.request.urlopen(f"{sso_url}/inloggen/extern/afmelden/", data).status
        except urllib.error.HTTPError as error:
            return error.code

    assert post("") == 400
    assert post("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") == 400  # unsigned


@pytest.fixture(scope="module")
def revalidating_url(scratch_site, keycloak):
    env = {
        "OIDC_ISSUER": keycloak.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REVALIDATE_SECONDS": "2",
    }
    with web_server(scratch_site, env=env) as url:
        yield url


def test_the_session_is_checked_with_the_provider_again_and_changed_rights_apply(
    new_page, revalidating_url, scratch_site, keycloak
):
    page = new_page()
    page.goto(f"{revalidating_url}/inloggen/?next={SECURED_URL}")
    page.get_by_role("link", name="Inloggen met je VDAB-login").click()
    sign_in_at_keycloak(page, "sso.mlp")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richtlijnen Mijn Loopbaan voor Partners")
    set_rights(keycloak, "sso.mlp", ["mijn-vdab"])
    try:
        page.wait_for_timeout(2500)
        page.reload()  # silently through the provider, which still knows the user
        expect(page).to_have_url(revalidating_url + SECURED_URL)
        expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt geen toegang tot deze pagina")
    finally:
        set_rights(keycloak, "sso.mlp", ["mijn-vdab", "mlp"])
