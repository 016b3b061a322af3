"""Following pages (SPEC §9): the eye toggle, the profile page's list and Mailing."""

import pytest
from wagtail.models import Page

from cms_extranet.follow.models import Follow, MailingPreference, PageChange

from .conftest import set_restriction

pytestmark = pytest.mark.django_db

NEWS = "/extranet/mlp/nieuws/"
PUBLIC = "/extranet/alles-over-extranet/"


@pytest.fixture(autouse=True)
def no_demo_follows(db):
    Follow.objects.all().delete()


def page_at(url_path):
    return Page.objects.get(url_path=url_path)


def follows(username):
    return set(
        Follow.objects.filter(user__username=username).values_list("page__url_path", flat=True)
    )


def test_a_partner_sees_the_eye_on_public_and_secured_pages(login):
    client = login("mlp.partner")
    for url in ("/mlp/nieuws/", "/alles-over-extranet/", "/"):
        html = client.get(url).content.decode()
        assert "Volg deze pagina</span>" in html
        assert "aria-pressed" not in html  # the label says the state; "pressed" would contradict it
        assert "Volg deze pagina niet meer</span>" not in html


@pytest.mark.parametrize("username", [None, "mlp.zonderopleiding", "werkgever", "redacteur"])
def test_users_without_a_profile_see_no_eye_and_cannot_forge_a_follow(client, login, username):
    if username:
        client = login(username)
    html = client.get("/alles-over-extranet/").content.decode()
    assert "Volg deze pagina" not in html
    page = page_at(PUBLIC)
    response = client.post(f"/volgen/{page.pk}/", {"volgen": "1"})
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_following_without_javascript_posts_and_returns_to_the_page(login):
    client = login("mlp.partner")
    page = page_at(NEWS)
    response = client.post(f"/volgen/{page.pk}/", {"volgen": "1", "next": "/mlp/nieuws/"})
    assert response.status_code == 302 and response["Location"] == "/mlp/nieuws/"
    assert follows("mlp.partner") == {NEWS}
    html = client.get("/mlp/nieuws/").content.decode()
    assert "Volg deze pagina niet meer</span>" in html
    assert "Je volgt deze pagina nu: Nieuws Mijn Loopbaan voor Partners." in html

    client.post(f"/volgen/{page.pk}/", {"volgen": "0", "next": "/mlp/nieuws/"})
    assert follows("mlp.partner") == set()
    assert "Volg deze pagina</span>" in client.get("/mlp/nieuws/").content.decode()


def test_following_with_javascript_answers_json_for_the_status_message(login):
    client = login("mlp.partner")
    page = page_at(NEWS)
    response = client.post(
        f"/volgen/{page.pk}/", {"volgen": "1"}, headers={"Accept": "application/json"}
    )
    assert response.json() == {
        "following": True,
        "message": "Je volgt deze pagina nu: Nieuws Mijn Loopbaan voor Partners.",
    }
    client.post(f"/volgen/{page.pk}/", {"volgen": "1"}, headers={"Accept": "application/json"})
    assert Follow.objects.count() == 1


def test_a_page_the_user_may_not_read_cannot_be_followed_and_is_a_404(login):
    client = login("das.partner")
    for url_path in (NEWS, "/extranet/mlp/"):
        response = client.post(f"/volgen/{page_at(url_path).pk}/", {"volgen": "1"})
        assert response.status_code == 404
    assert client.post("/volgen/999999/", {"volgen": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_the_toggle_needs_the_csrf_token(login):
    client = login("mlp.partner")
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/volgen/{page_at(NEWS).pk}/", {"volgen": "1"})
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_mailing_defaults_to_never_and_is_saved(login):
    client = login("mlp.partner")
    html = client.get("/profiel/").content.decode()
    assert "<h2 id=\"mailing\">Mailing</h2>" in html
    assert 'value="never" id="id_mailing_0" required checked' in html
    for label in ("Nooit", "Dagelijks", "Wekelijks"):
        assert f">{label}</label>" in html
    response = client.post("/profiel/mailing/", {"mailing": "weekly"}, follow=True)
    assert "Je keuze voor de mailing is bewaard." in response.content.decode()
    assert MailingPreference.objects.get(user__username="mlp.partner").mailing == "weekly"
    assert 'value="weekly" id="id_mailing_2" required checked' in client.get("/profiel/").content.decode()
    client.post("/profiel/mailing/", {"mailing": "hourly"})
    assert MailingPreference.objects.get(user__username="mlp.partner").mailing == "weekly"


def test_users_without_a_profile_have_no_mailing_to_set(login):
    client = login("werkgever")
    assert "Mailing" not in client.get("/profiel/").content.decode()
    assert client.post("/profiel/mailing/", {"mailing": "daily"}).status_code == 403
    assert not MailingPreference.objects.filter(user__username="werkgever").exists()


def test_the_profile_lists_followed_pages_with_breadcrumb_and_last_change(login):
    client = login("mlp.partner")
    client.post(f"/volgen/{page_at('/extranet/mlp/richtlijnen/handleiding/').pk}/", {"volgen": "1"})
    html = client.get("/profiel/").content.decode()
    assert '<a href="/mlp/richtlijnen/handleiding/">Handleiding Mijn Loopbaan voor Partners</a>' in html
    assert (
        "Extranet-MLP: informatie voor partners › Richtlijnen Mijn Loopbaan voor Partners" in html
    )
    assert "<time datetime=" in html
    assert 'aria-label="Niet meer volgen: Handleiding Mijn Loopbaan voor Partners"' in html


def test_a_removed_row_stays_greyed_once_then_is_gone(login):
    client = login("mlp.partner")
    page = page_at(NEWS)
    client.post(f"/volgen/{page.pk}/", {"volgen": "1"})
    client.post(f"/volgen/{page.pk}/", {"volgen": "0", "next": "/profiel/#gevolgd"})
    html = client.get("/profiel/").content.decode()
    assert 'class="followed__row is-removed"' in html
    assert 'aria-label="Opnieuw volgen: Nieuws Mijn Loopbaan voor Partners"' in html
    html = client.get("/profiel/").content.decode()  # refreshed: gone for good
    assert "Nieuws Mijn Loopbaan voor Partners" not in html
    assert "Je volgt nog geen pagina's." in html


def test_a_page_no_longer_readable_leaves_the_list_and_returns_with_access(login):
    client = login("mlp.partner")
    page = page_at(NEWS)
    Follow.objects.create(user=client.user, page=page)
    set_restriction(page_at("/extranet/mlp/"), "profiles", ["das"])
    html = client.get("/profiel/").content.decode()
    assert "Nieuws Mijn Loopbaan voor Partners" not in html
    assert client.post(f"/volgen/{page.pk}/", {"volgen": "0"}).status_code == 404
    set_restriction(page_at("/extranet/mlp/"), "profiles", ["mlp"])
    assert "Nieuws Mijn Loopbaan voor Partners" in client.get("/profiel/").content.decode()


def test_a_public_page_in_a_secured_section_does_not_name_the_section(login):
    client = login("mlp.partner")
    client.post(f"/volgen/{page_at('/extranet/das/over-das/').pk}/", {"volgen": "1"})
    html = client.get("/profiel/").content.decode()
    assert "Over DAS: publieke informatie" in html
    assert "Extranet-DAS" not in html


def test_each_publish_records_a_change(home):
    page = page_at(NEWS).specific
    before = PageChange.objects.filter(page=page).count()
    revision = page.save_revision()
    revision.publish()
    change = PageChange.objects.filter(page=page).latest("published_at")
    assert PageChange.objects.filter(page=page).count() == before + 1
    assert (change.revision, change.minor, change.note) == (revision, False, "")


def test_unfollowing_on_the_page_itself_does_not_grey_a_row_on_the_profile(login):
    client = login("mlp.partner")
    page = page_at(NEWS)
    Follow.objects.create(user=client.user, page=page)
    client.post(f"/volgen/{page.pk}/", {"volgen": "0", "next": "/mlp/nieuws/"})
    assert "followed__row" not in client.get("/profiel/").content.decode()
