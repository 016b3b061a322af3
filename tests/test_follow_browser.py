"""Following pages in a real browser (SPEC §9): the eye on a page and the list on the
profile page work in place, with the script, against the site's own web server."""

import json
import re

import pytest
from playwright.sync_api import expect

from .browser import artifacts_dir, log_in
from .conftest import PASSWORD

SECURED = "/extranet/mlp/richtlijnen/"  # url_path; secured for the mlp profile
SECURED_URL = "/mlp/richtlijnen/"
SECURED_TITLE = "Richtlijnen Mijn Loopbaan voor Partners"
PUBLIC_URL = "/hoe-krijg-je-toegang/"
REMOVED = re.compile(r"\bis-removed\b")


@pytest.fixture
def page(new_page):
    return new_page()


def query(site, code, expression):
    """Run Django code on the site, then read the JSON of expression it prints last."""
    out = site.python(f"import json\n{code}\nprint(json.dumps({expression}))")
    return json.loads(out.splitlines()[-1])


def follows(site, username, reset=None):
    """The url_paths of the pages the user follows; with reset, first exactly those."""
    return query(
        site,
        "from django.contrib.auth import get_user_model\n"
        "from wagtail.models import Page\n"
        "from cms_extranet.follow.models import Follow\n"
        f"user, reset = get_user_model().objects.get(username={username!r}), {reset!r}\n"
        "if reset is not None:\n"
        "    Follow.objects.filter(user=user).delete()\n"
        "    for path in reset:\n"
        "        Follow.objects.create(user=user, page=Page.objects.get(url_path=path))\n",
        "sorted(Follow.objects.filter(user=user).values_list('page__url_path', flat=True))",
    )


def test_a_partner_follows_a_page_in_place(page, base_url, scratch_site):
    assert follows(scratch_site, "mlp.partner", reset=[]) == []
    log_in(page, base_url, "mlp.partner", PASSWORD)
    page.goto(base_url + SECURED_URL)
    toggle = page.locator(".page-actions").get_by_role("button")
    expect(toggle).to_have_text("Volg deze pagina")

    page.evaluate("window.sameDocument = true")
    toggle.click()
    expect(toggle).to_have_text("Volg deze pagina niet meer")
    expect(toggle).to_be_focused()  # busy while the request runs, never disabled (WCAG 2.4.3)
    expect(page.locator(".page-actions").get_by_role("status")).to_have_text(
        f"Je volgt deze pagina nu: {SECURED_TITLE}."
    )
    assert page.evaluate("window.sameDocument"), "the page reloaded"
    assert follows(scratch_site, "mlp.partner") == [SECURED]
    page.screenshot(path=artifacts_dir() / "follow-followed-page.png", full_page=True)

    page.reload()
    expect(toggle).to_have_text("Volg deze pagina niet meer")
    toggle.click()
    expect(toggle).to_have_text("Volg deze pagina")
    page.reload()
    expect(toggle).to_have_text("Volg deze pagina")


def test_a_page_removed_on_the_profile_stays_greyed_until_a_reload(page, base_url, scratch_site):
    assert follows(scratch_site, "mlp.partner", reset=[SECURED]) == [SECURED]
    log_in(page, base_url, "mlp.partner", PASSWORD)
    page.goto(base_url + "/profiel/")
    row = page.locator("tr[data-follow-row]", has_text=SECURED_TITLE)
    trash = row.get_by_role("button", name=f"Niet meer volgen: {SECURED_TITLE}")
    eye = row.get_by_role("button", name=f"Opnieuw volgen: {SECURED_TITLE}")

    trash.click()
    expect(row).to_have_class(REMOVED)
    expect(row.locator("td").first).to_have_css("color", "rgb(118, 118, 118)")  # greyed
    expect(row.locator(".icon--eye")).to_be_visible()
    expect(row.locator(".icon--trash")).to_be_hidden()
    expect(page.locator("[data-follow-status]")).to_have_text(
        f"Je volgt deze pagina niet meer: {SECURED_TITLE}."
    )
    page.screenshot(path=artifacts_dir() / "follow-profile-removed-row.png", full_page=True)

    eye.click()
    expect(row).not_to_have_class(REMOVED)
    expect(trash).to_be_visible()
    assert follows(scratch_site, "mlp.partner") == [SECURED]

    trash.click()
    expect(row).to_have_class(REMOVED)
    page.reload()
    expect(page.locator("tr[data-follow-row]")).to_have_count(0)
    assert follows(scratch_site, "mlp.partner") == []


def test_a_user_without_profiles_sees_no_toggle(page, base_url, scratch_site):
    profiles = query(
        scratch_site,
        "from django.contrib.auth import get_user_model\n"
        "from cms_extranet.access import user_profiles\n",
        "sorted(user_profiles(get_user_model().objects.get(username='werkgever')))",
    )
    assert profiles == []
    log_in(page, base_url, "werkgever", PASSWORD)
    page.goto(base_url + PUBLIC_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoe krijg je toegang tot Extranet?")
    expect(page.locator(".page-actions")).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("Volg deze pagina"))).to_have_count(0)
    page.goto(base_url + "/profiel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Profiel")
    expect(page.get_by_role("heading", name="Pagina's die je volgt")).to_have_count(0)
