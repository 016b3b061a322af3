"""The page editor's Access panel in a real browser: the profile boxes come and go with the
choice of access, against the site's own web server."""

import re

from playwright.sync_api import expect

from .conftest import PASSWORD

INHERITING = "/extranet/mlp/richtlijnen/"  # url_path; inherits Extranet-MLP from its section


def test_an_editor_sees_the_profile_boxes_only_while_secured_is_chosen(new_page, base_url, scratch_site):
    page_id = int(scratch_site.python(
        f"from wagtail.models import Page\nprint(Page.objects.get(url_path={INHERITING!r}).pk)"
    ).split()[-1])
    editor = new_page()
    editor.goto(f"{base_url}/admin/login/")
    editor.get_by_label("Gebruikersnaam").fill("redacteur")
    editor.get_by_label("Wachtwoord").fill(PASSWORD)
    editor.get_by_role("button", name="Inloggen").click()
    expect(editor).to_have_url(re.compile(r"/admin/$"))

    editor.goto(f"{base_url}/admin/pages/{page_id}/edit/")
    editor.get_by_role("tab", name="Instellingen").click()
    profile = editor.get_by_label("Extranet-DAS", exact=True)
    expect(editor.get_by_label("Overnemen van de bovenliggende pagina")).to_be_checked()
    expect(profile).to_be_hidden()
    editor.get_by_label("Beveiligd: enkel voor de gekozen profielen").check()
    expect(profile).to_be_visible()
    expect(editor.get_by_text("Profielen", exact=True)).to_be_visible()
    editor.get_by_label("Publiek: iedereen mag de pagina lezen").check()
    expect(profile).to_be_hidden()
    expect(editor.get_by_text("Profielen", exact=True)).to_be_hidden()
