"""The rendered site: top bar, login and logout, profile page, application tiles."""

import pytest

pytestmark = pytest.mark.django_db


def tiles(html):
    return [t for t in TILE_TITLES if f'<span class="tile__title">{t}</span>' in html]


TILE_TITLES = [
    "VDAB voor partners/Mijn VDAB",
    "Mijn Loopbaan voor Partners (MLP)",
    "Toegangsbeheer",
    "DAS",
    "Registreer loopbaancheques",
    "Vertrouwelijk dossier opzoeken",
    "ESF-rapportering",
    "Vacatures plaatsen",
]


def test_anonymous_top_bar_has_search_and_login_and_no_tiles(client):
    html = client.get("/").content.decode()
    assert 'action="/zoeken/"' in html
    assert ">Inloggen</a>" in html
    assert "Uitloggen" not in html
    assert tiles(html) == []
    assert 'href="/feedback/' in html and "Geef feedback" in html
    assert 'href="/gebruiksvoorwaarden/"' in html and 'href="/disclaimer/"' in html
    assert '<a href="/toegankelijkheid/">Toegankelijkheid</a>' in html


def test_the_accessibility_statement_names_the_feedback_form_to_report_a_barrier(client):
    html = client.get("/toegankelijkheid/").content.decode()
    assert "<h1>Toegankelijkheidsverklaring</h1>" in html
    assert '<a href="/feedback/">feedbackformulier</a>' in html


def test_the_home_page_asks_to_log_in_only_who_is_not_logged_in_and_names_the_site_once(client, login):
    ask = "Log in om de beveiligde pagina's voor jouw profiel te lezen"
    html = client.get("/").content.decode()
    assert ask in html
    assert "<title>Extranet voor partners</title>" in html
    assert ask not in login("mlp.partner").get("/").content.decode()
    assert "<title>Gebruiksvoorwaarden | Extranet voor partners</title>" in client.get("/gebruiksvoorwaarden/").content.decode()


def test_logged_in_top_bar_shows_name_profile_and_logout(login):
    html = login("mlp.partner").get("/").content.decode()
    assert "Marie Peeters" in html
    assert 'href="/profiel/"' in html
    assert "Uitloggen" in html
    assert ">Inloggen</a>" not in html


@pytest.mark.parametrize(
    "username, expected",
    [
        ("mlp.partner", ["VDAB voor partners/Mijn VDAB", "Mijn Loopbaan voor Partners (MLP)"]),
        ("mlp.zonderopleiding", ["VDAB voor partners/Mijn VDAB"]),
        ("multi.partner", ["VDAB voor partners/Mijn VDAB", "Mijn Loopbaan voor Partners (MLP)", "DAS"]),
        ("uitbetaling.admin", ["VDAB voor partners/Mijn VDAB", "Toegangsbeheer"]),
        ("uitbetaling.medewerker", ["VDAB voor partners/Mijn VDAB"]),
        ("vertrouwelijk.arts", ["VDAB voor partners/Mijn VDAB", "Vertrouwelijk dossier opzoeken"]),
        ("werkgever", ["Vacatures plaatsen"]),
    ],
)
def test_home_shows_the_tiles_of_the_users_rights(login, username, expected):
    assert tiles(login(username).get("/").content.decode()) == expected


def test_login_is_in_dutch_and_refuses_a_wrong_password(client):
    html = client.get("/inloggen/").content.decode()
    assert "Gebruikersnaam" in html and "Wachtwoord" in html
    response = client.post("/inloggen/", {"username": "mlp.partner", "password": "fout"})
    assert response.status_code == 200
    assert "De gebruikersnaam of het wachtwoord is niet juist" in response.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://testserver.evil/"])
def test_login_never_redirects_off_site(client, target):
    response = client.post(
        "/inloggen/", {"username": "mlp.partner", "password": "extranet-demo", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(login):
    client = login("das.partner")
    assert client.get("/das/").status_code == 200
    response = client.post("/uitloggen/")
    assert response.status_code == 302
    assert client.get("/das/").status_code == 302


def test_profile_page_shows_organisation_vestiging_and_profiles(login):
    html = login("multi.partner").get("/profiel/").content.decode()
    assert "Noah De Smet" in html
    assert "Loopbaanpunt Antwerpen vzw" in html
    assert "Antwerpen Centrum" in html
    assert "Extranet-MLP" in html and "Extranet-DAS" in html
    assert "Extranet-ESF-rapportering" not in html


def test_profile_page_of_a_user_without_profiles_says_so(login):
    html = login("werkgever").get("/profiel/").content.decode()
    assert "Je hebt nog geen toegang tot beveiligde pagina's" in html


def test_profile_page_needs_a_login(client):
    assert client.get("/profiel/")["Location"] == "/inloggen/?next=/profiel/"


def test_page_language_and_stylesheet_are_served_by_the_site(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl-BE">' in html
    assert 'href="/static/css/extranet.css"' in html
    assert "https://" not in "".join(
        line for line in html.splitlines() if "<link" in line or "<script" in line
    )


def test_home_lists_only_the_sections_the_visitor_may_read(client, login):
    html = client.get("/").content.decode()
    assert 'href="/alles-over-extranet/"' in html
    assert "Extranet-MLP: informatie voor partners" not in html
    assert 'href="/mlp/"' not in html
    html = login("mlp.partner").get("/").content.decode()
    assert 'href="/mlp/"' in html
    assert 'href="/das/"' not in html and "Extranet-DAS: informatie" not in html


def test_section_lists_public_subpages_but_not_secured_ones(login):
    html = login("das.partner").get("/das/").content.decode()
    assert "Richtlijnen Digitaal Archief Samenwerking" in html
    assert "Over DAS: publieke informatie" in html


def test_breadcrumb_of_a_public_page_never_names_its_secured_section(client, login):
    html = client.get("/das/over-das/").content.decode()
    assert "Over DAS: publieke informatie" in html
    assert "Extranet-DAS: informatie voor DAS-gebruikers" not in html
    assert 'href="/das/"' not in html
    html = login("das.partner").get("/das/over-das/").content.decode()
    assert 'href="/das/"' in html


def test_refusals_and_bad_requests_answer_in_dutch_in_the_sites_layout(client, login):
    follow = login("werkgever").post("/volgen/1/", {"volgen": "1"})
    assert follow.status_code == 403
    html = follow.content.decode()
    assert "<h1>Geen toegang</h1>" in html and 'class="topbar"' in html
    assert "Pagina" in html and "Forbidden" not in html
    bad = client.get("/", HTTP_HOST="elders.example")
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Deze aanvraag kan niet verwerkt worden" in html and 'class="topbar"' in html
