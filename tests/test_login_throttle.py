import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home")]

LOCKED = "Uit veiligheid is inloggen een uur geblokkeerd"


@override_settings(AXES_ENABLED=True)
@pytest.mark.parametrize("url", ["/inloggen/", "/admin/login/"])
def test_failures_lock_the_account_until_the_agency_unlocks(client, url, django_user_model):
    django_user_model.objects.create_superuser("slot", "slot@example.org", "juist-wachtwoord")
    for _ in range(5):
        client.post(url, {"username": "slot", "password": "fout"})
    response = client.post(url, {"username": "slot", "password": "juist-wachtwoord"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session

    call_command("axes_reset_username", "slot")
    call_command("axes_reset")  # the client's address too
    response = client.post(url, {"username": "slot", "password": "juist-wachtwoord"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@override_settings(AXES_ENABLED=True)
def test_failures_from_one_client_lock_every_account(client, django_user_model):
    django_user_model.objects.create_user("ander", "a@example.org", "juist-wachtwoord")
    for i in range(5):
        client.post("/inloggen/", {"username": f"gok{i}", "password": "fout"})
    response = client.post("/inloggen/", {"username": "ander", "password": "juist-wachtwoord"})
    assert response.status_code == 429


def test_no_anonymous_form_sends_password_mails(client, django_user_model, mailoutbox):
    django_user_model.objects.create_superuser("slot", "slot@example.org", "juist-wachtwoord")
    for _ in range(3):
        response = client.post("/admin/password_reset/", {"email": "slot@example.org"})
        assert response.status_code == 404
    assert mailoutbox == []
    assert "password_reset" not in client.get("/admin/login/").content.decode()


def test_dev_secret_key_is_random_and_kept(tmp_path):
    import subprocess
    import sys
    import os

    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cms.settings.dev"}
    env.pop("SECRET_KEY", None)
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    first = run()
    assert first == run()
    assert first not in ("", "dev-only-not-secret") and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
