"""Accessibility of every page type, checked by the real tools against the site's own web
server: axe-core (WCAG 2.1 A and AA, and best practices) in Chromium, the Nu HTML Checker
on the HTML as served, reflow at 320 CSS px and at 200 % zoom, and a keyboard-only visit."""

import io
import json
import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .browser import artifacts_dir
from .conftest import PASSWORD
from .processes import ROOT, TEST_JVM_OPTS

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# 320 CSS px (WCAG 1.4.10), and a 1280 px window at 200 % zoom.
WIDTHS = (320, 640)
SECURED_URL = "/mlp/richtlijnen/"  # secured for the mlp profile


@pytest.fixture(scope="module")
def checkers():
    missing = [str(path) for path in (AXE, VNU) if not path.exists()]
    missing += [] if shutil.which("java") else ["java"]
    if missing:
        message = f"the accessibility checkers are missing ({', '.join(missing)}): run `make install-test`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def query(site, code):
    return json.loads(site.python(code).splitlines()[-1])


class Audit:
    """Each page type's axe violations, its served HTML for the Nu checker and its overflow."""

    def __init__(self, directory):
        self.directory = directory
        self.problems = {}
        self.files = {}

    def check(self, name, page, html):
        script = page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]}).then(result =>
                result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(" ")).join(", ")})`))""",
            AXE_TAGS,
        )
        script.evaluate("element => element.remove()")  # not part of a later snapshot
        size = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide = page.evaluate(
                    """width => [...document.querySelectorAll("body *")]
                        .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
                        .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))""",
                    width,
                )
                violations.append(f"scrolls sideways at {width} px: {scroll} px wide ({', '.join(wide)})")
        page.set_viewport_size(size)
        if violations:
            self.problems[name] = violations
        path = self.directory / f"{name}.html"
        path.write_text(html)
        self.files[path.name] = name

    def visit(self, name, page, url):
        response = page.goto(url)
        self.check(name, page, response.text())

    def submit(self, name, page, button):
        with page.expect_navigation() as navigation:
            button.click()
        self.check(name, page, navigation.value.text())

    def validate(self):
        """The Nu HTML Checker over every page at once (one Java start)."""
        result = subprocess.run(
            # -Xss: the checker's schema recurses deeply, the quick compiler's frames are larger.
            ["java", *TEST_JVM_OPTS, "-Xss4m", "-jar", str(VNU), "--format", "json", "--errors-only", *sorted(self.files)],
            cwd=self.directory, capture_output=True, text=True, timeout=300,
        )
        # Its report is on stderr; a checker that failed to run says why on stdout.
        assert result.stderr or result.returncode == 0, f"the Nu checker did not run:\n{result.stdout}"
        for message in json.loads(result.stderr or "{}").get("messages", []):
            name = self.files.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
            self.problems.setdefault(name, []).append(
                f"HTML line {message.get('lastLine')}: {message['message']} [{message.get('extract', '').strip()}]"
            )
        assert result.returncode in (0, 1), result.stderr


def test_every_page_type_passes_axe_the_nu_html_checker_and_reflows(
    checkers, browser, base_url, scratch_site, tmp_path
):
    audit = Audit(tmp_path)
    site = query(
        scratch_site,
        """
import io
import json
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from wagtail.models import Page
from cms_extranet.follow.models import Follow
User = get_user_model()
partner = User.objects.get(username="mlp.partner")
Follow.objects.filter(user=partner).delete()
for path in ["/extranet/mlp/richtlijnen/", "/extranet/hoe-krijg-je-toegang/", "/extranet/disclaimer/"]:
    Follow.objects.create(user=partner, page=Page.objects.get(url_path=path))
print(json.dumps({"colleague": User.objects.get(username="uitbetaling.medewerker").partner_account.pk,
                  "error_page": render_to_string("500.html")}))
""",
    )

    def person(username=None):
        context = browser.new_context(locale="nl-BE")
        context.set_default_timeout(10_000)
        page = context.new_page()
        if username:
            page.goto(f"{base_url}/inloggen/")
            page.get_by_label("Gebruikersnaam").fill(username)
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen", exact=True).click()
            expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
        return page

    visitor = person()
    audit.visit("home-anonymous", visitor, base_url + "/")
    audit.visit("content-page", visitor, base_url + "/hoe-krijg-je-toegang/")
    audit.visit("terms", visitor, base_url + "/gebruiksvoorwaarden/")
    audit.visit("accessibility-statement", visitor, base_url + "/toegankelijkheid/")
    audit.visit("login", visitor, base_url + "/inloggen/")
    visitor.get_by_label("Gebruikersnaam").fill("mlp.partner")
    visitor.get_by_label("Wachtwoord").fill("not the password")
    audit.submit("login-error", visitor, visitor.get_by_role("button", name="Inloggen", exact=True))
    audit.visit("search-results", visitor, base_url + "/zoeken/?q=partners")
    audit.visit("search-none", visitor, base_url + "/zoeken/?q=qzxqzxqzx")
    audit.visit("search-bad-query", visitor, base_url + "/zoeken/?q=%22%28%29%2A%5B")
    audit.visit("feedback", visitor, base_url + "/feedback/?pagina=/hoe-krijg-je-toegang/")
    audit.submit("feedback-errors", visitor, visitor.get_by_role("button", name="Feedback versturen"))
    visitor.get_by_label("Bericht").fill("De zoekfunctie vindt mijn handleiding niet.")
    audit.submit("feedback-thanks", visitor, visitor.get_by_role("button", name="Feedback versturen"))
    audit.visit("expired-password-link", visitor, base_url + "/wachtwoord-kiezen/MQ/verlopen-link/")
    audit.visit("not-found", visitor, base_url + "/bestaat-niet/")
    visitor.set_content(site["error_page"])
    audit.check("server-error", visitor, site["error_page"])

    partner = person("mlp.partner")
    audit.visit("home-logged-in", partner, base_url + "/")
    audit.visit("secured-page", partner, base_url + SECURED_URL)
    audit.visit("profile", partner, base_url + "/profiel/")
    partner.get_by_role("button", name=re.compile("^Niet meer volgen: Disclaimer")).click()
    expect(partner.get_by_role("button", name=re.compile("^Opnieuw volgen: Disclaimer"))).to_be_visible()
    audit.check("profile-removed-row", partner, partner.content())

    audit.visit("refused", person("das.partner"), base_url + SECURED_URL)

    administrator = person("uitbetaling.admin")
    audit.visit("access-management", administrator, base_url + "/toegangsbeheer/")
    audit.visit("access-management-user", administrator, f"{base_url}/toegangsbeheer/gebruikers/{site['colleague']}/")
    audit.visit("onboarding", administrator, base_url + "/toegangsbeheer/uitbetalingsinstelling/")

    audit.validate()
    assert not audit.problems, json.dumps(audit.problems, indent=1, ensure_ascii=False)


def contrast(a, b):
    """WCAG contrast ratio of two RGB pixels."""

    def luminance(pixel):
        channels = [c / 255 for c in pixel]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Keyboard:
    """A visitor with a keyboard only: Tab, Shift+Tab, Enter and the arrow keys."""

    def __init__(self, page):
        self.page = page

    def focused(self):
        return self.page.evaluate(
            """() => { const e = document.activeElement;
                return (e.getAttribute("aria-label") || (e.labels && e.labels.length && e.labels[0].textContent)
                        || e.textContent || "").replace(/\\s+/g, " ").trim(); }"""
        )

    def tab_to(self, name, limit=80):
        """Tab until the focused element's name starts with ``name``; its focus must show."""
        seen = []
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            seen.append(self.focused())
            if seen[-1].startswith(name):
                self.assert_focus_visible(name)
                return
        raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")

    def assert_focus_visible(self, name):
        """The pixels that change by at least 3:1 when the element loses the focus cover at
        least a 2 px line around it (WCAG 2.4.13); compared with Shift+Tab, then Tab back."""
        from PIL import Image

        x, y, width, height = self.page.evaluate(
            "(() => { const r = document.activeElement.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()"
        )
        clip = {"x": max(x - 8, 0), "y": max(y - 8, 0), "width": width + 16, "height": height + 16}
        focused = Image.open(io.BytesIO(self.page.screenshot(clip=clip))).convert("RGB")
        self.page.keyboard.press("Shift+Tab")
        plain = Image.open(io.BytesIO(self.page.screenshot(clip=clip))).convert("RGB")
        self.page.keyboard.press("Tab")
        assert self.focused().startswith(name)
        changed = sum(1 for a, b in zip(focused.get_flattened_data(), plain.get_flattened_data()) if contrast(a, b) >= 3)
        assert changed >= 2 * 2 * (width + height), f"{name!r}: no visible focus ({changed} pixels change)"

    def press(self, key):
        self.page.keyboard.press(key)


def test_a_keyboard_alone_logs_in_searches_follows_and_sets_the_mailing(browser, base_url, scratch_site):
    scratch_site.python(
        "from django.contrib.auth import get_user_model\n"
        "from cms_extranet.follow.models import Follow, MailingPreference\n"
        "user = get_user_model().objects.get(username='multi.partner')\n"
        "Follow.objects.filter(user=user).delete(); MailingPreference.objects.filter(user=user).delete()"
    )
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    keyboard = Keyboard(page)
    page.goto(base_url + "/")

    keyboard.tab_to("Naar de inhoud")
    keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    keyboard.tab_to("Inloggen")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/inloggen/"))
    keyboard.tab_to("Gebruikersnaam")
    page.keyboard.type("multi.partner")
    keyboard.tab_to("Wachtwoord")
    page.keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    keyboard.tab_to("Zoeken op Extranet")
    page.keyboard.type("handleiding mijn loopbaan")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/zoeken/"))
    keyboard.tab_to("Handleiding Mijn Loopbaan voor Partners")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Handleiding Mijn Loopbaan voor Partners")

    keyboard.tab_to("Volg deze pagina")
    keyboard.press("Enter")
    status = page.locator(".page-actions").get_by_role("status")
    expect(status).to_have_text("Je volgt deze pagina nu: Handleiding Mijn Loopbaan voor Partners.")
    assert keyboard.focused() == "Volg deze pagina niet meer"  # the focus stayed on the toggle

    keyboard.tab_to("Profiel")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/profiel/"))
    keyboard.tab_to("Niet meer volgen: Handleiding Mijn Loopbaan voor Partners")
    keyboard.press("Enter")
    expect(page.get_by_role("button", name="Opnieuw volgen: Handleiding Mijn Loopbaan voor Partners")).to_be_visible()
    assert keyboard.focused() == "Opnieuw volgen: Handleiding Mijn Loopbaan voor Partners"
    keyboard.press("Enter")
    expect(page.get_by_role("button", name="Niet meer volgen: Handleiding Mijn Loopbaan voor Partners")).to_be_visible()
    assert keyboard.focused() == "Niet meer volgen: Handleiding Mijn Loopbaan voor Partners"

    keyboard.tab_to("Nooit")
    for _ in range(3):
        if keyboard.focused() == "Dagelijks":
            break
        keyboard.press("ArrowDown")
    assert keyboard.focused() == "Dagelijks"
    keyboard.tab_to("Bewaren")
    keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Je keuze voor de mailing is bewaard.")).to_be_visible()
    page.screenshot(path=artifacts_dir() / "keyboard-profile.png", full_page=True)
    saved = scratch_site.python(
        "from cms_extranet.follow.models import Follow, MailingPreference\n"
        "print(MailingPreference.objects.get(user__username='multi.partner').mailing,"
        " list(Follow.objects.filter(user__username='multi.partner').values_list('page__title', flat=True)))"
    )
    assert saved.splitlines()[-1] == "daily ['Handleiding Mijn Loopbaan voor Partners']"
    context.close()
