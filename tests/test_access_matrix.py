"""Every demo user against every demo page and the restricted document (SPEC §4, §12)."""

import pytest
from wagtail.documents import get_document_model

# What each demo login holds, as SPEC §12 states it.
HOLDS = {
    None: set(),
    "mlp.partner": {"mlp"},
    "mlp.zonderopleiding": set(),
    "das.partner": {"das"},
    "das.auditor": set(),
    "esf.partner": {"esf"},
    "loopbaan.partner": {"loopbaan"},
    "vertrouwelijk.arts": {"vertrouwelijk"},
    "uitbetaling.medewerker": {"uitbetaling"},
    "uitbetaling.admin": set(),
    "multi.partner": {"mlp", "das"},
    "werkgever": set(),
    "redacteur": set(),
    "toegang.vdab": set(),
    "admin": set(),
}

PUBLIC_PAGES = [
    "/",
    "/alles-over-extranet/",
    "/hoe-krijg-je-toegang/",
    "/hoe-krijg-je-toegang/extranet-mlp/",
    "/hoe-krijg-je-toegang/extranet-das/",
    "/hoe-krijg-je-toegang/extranet-esf-rapportering/",
    "/hoe-krijg-je-toegang/extranet-loopbaanbegeleiding/",
    "/hoe-krijg-je-toegang/extranet-vertrouwelijk-luik/",
    "/hoe-krijg-je-toegang/extranet-uitbetalingsinstellingen/",
    "/mails-met-updates/",
    "/gebruiksvoorwaarden/",
    "/disclaimer/",
    "/toegankelijkheid/",
    "/das/over-das/",  # public page inside the secured DAS section
]

SECTIONS = {
    "mlp": "mlp",
    "das": "das",
    "esf-rapportering": "esf",
    "loopbaanbegeleiding": "loopbaan",
    "vertrouwelijk-luik": "vertrouwelijk",
    "uitbetalingsinstellingen": "uitbetaling",
}
SECURED_PAGES = {
    f"/{slug}/{sub}": code
    for slug, code in SECTIONS.items()
    for sub in ["", "richtlijnen/", "richtlijnen/handleiding/", "nieuws/"]
}


def expected_status(username, profile):
    if profile is None or profile in HOLDS[username]:
        return 200
    return 302 if username is None else 403


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(HOLDS))
def test_every_demo_user_reads_exactly_the_pages_of_their_profiles(client, login, username):
    if username:
        login(username)
    pages = [(url, None) for url in PUBLIC_PAGES] + list(SECURED_PAGES.items())
    wrong = []
    for url, profile in pages:
        response = client.get(url)
        want = expected_status(username, profile)
        if response.status_code != want:
            wrong.append(f"{url}: {response.status_code}, expected {want}")
        elif want == 302:
            assert response["Location"] == f"/inloggen/?next={url}"
        if profile is not None:
            assert "no-store" in response.get("Cache-Control", ""), url
            assert "private" in response.get("Cache-Control", ""), url
    assert not wrong, wrong


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(HOLDS))
def test_restricted_document_downloads_only_for_uitbetaling(client, login, username):
    if username:
        login(username)
    document = get_document_model().objects.get(title__startswith="Betaalkalender uitbetalingsinstellingen")
    response = client.get(document.url)
    assert response.status_code == expected_status(username, "uitbetaling")
    assert "no-store" in response["Cache-Control"]
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    elif response.status_code == 302:
        assert response["Location"].startswith("/inloggen/?next=/documents/")


@pytest.mark.django_db
def test_the_blank_terms_form_downloads_for_anyone_who_must_sign_it_before_having_access(client):
    document = get_document_model().objects.get(title__startswith="Formulier Gebruiksvoorwaarden")
    html = client.get("/hoe-krijg-je-toegang/extranet-uitbetalingsinstellingen/").content.decode()
    assert document.url in html
    response = client.get(document.url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_forbidden_page_explains_how_to_get_access_without_showing_the_page(login):
    client = login("das.partner")
    response = client.get("/mlp/richtlijnen/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Je hebt geen toegang tot deze pagina" in html
    assert 'href="/hoe-krijg-je-toegang/extranet-mlp/"' in html
    assert 'href="/hoe-krijg-je-toegang/"' in html
    assert "Richtlijnen Mijn Loopbaan" not in html
    assert "Deze richtlijnen over" not in html


@pytest.mark.django_db
def test_anonymous_visitor_returns_to_the_secured_page_after_login(client):
    response = client.get("/mlp/nieuws/")
    assert response.status_code == 302
    response = client.post(
        response["Location"],
        {"username": "mlp.partner", "password": "extranet-demo", "next": "/mlp/nieuws/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/mlp/nieuws/"
    assert client.get("/mlp/nieuws/").status_code == 200


@pytest.mark.django_db
def test_public_pages_are_cacheable_for_anonymous_visitors(client):
    response = client.get("/alles-over-extranet/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_link_to_the_restricted_document_shows_only_to_those_who_may_download_it(home, login):
    from cms.pages.models import ContentPage

    document = get_document_model().objects.get(title__startswith="Betaalkalender uitbetalingsinstellingen")
    page = ContentPage(title="Formulieren", slug="formulieren", restriction="public",
                       body=[("document", {"document": document, "label": "Het formulier"})])
    home.add_child(instance=page)
    page.save_revision().publish()
    assert "Het formulier" in login("uitbetaling.medewerker").get("/formulieren/").content.decode()
    html = login("das.partner").get("/formulieren/").content.decode()
    assert "Het formulier" not in html and document.url not in html
