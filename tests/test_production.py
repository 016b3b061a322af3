"""The production path of the README: the production settings, collectstatic, gunicorn."""

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .processes import ROOT, free_port, kill_group, wait_for_port


def production_env(site, smtp_server, **extra):
    """``site``: a ScratchSite, or a dict of the environment to start from."""
    return {
        **(site if isinstance(site, dict) else site.env),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": smtp_server.url,
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        **extra,
    }


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_check_deploy_reports_nothing(scratch_site, smtp_server):
    result = manage(production_env(scratch_site, smtp_server), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without_its_settings(scratch_site, smtp_server, missing):
    result = manage(production_env(scratch_site, smtp_server, **{missing: ""}), "check")
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_an_unknown_mail_scheme_is_refused(scratch_site, smtp_server):
    result = manage(production_env(scratch_site, smtp_server, EMAIL_URL="smtq://mail.example"), "check")
    assert result.returncode != 0 and "EMAIL_URL: unknown scheme" in result.stderr


def fetch(url, https=True):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"} if https else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextlib.contextmanager
def gunicorn(directory, env):
    """gunicorn with these settings, after collectstatic, logging to ``directory``; its base URL."""
    collected = manage(env, "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    log = open(directory / "gunicorn.log", "ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        kill_group(server)


def test_gunicorn_serves_pages_static_files_and_the_admin(scratch_site, smtp_server):
    env = production_env(scratch_site, smtp_server)
    with gunicorn(scratch_site.directory, env) as base:
        assert fetch(f"{base}/", https=False).status == 301  # plain HTTP goes to HTTPS
        for path in ["/", "/admin/login/"]:
            page = fetch(base + path)
            html = page.read().decode()
            assert page.status == 200, (path, html[:500])
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
            assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            stylesheets = re.findall(r'<link[^>]+href="(/static/[^"]+\.css)"', html)
            assert stylesheets, path
            for href in stylesheets:
                css = fetch(base + href)
                assert css.status == 200 and css.headers["Content-Type"].startswith("text/css"), href
        missing = fetch(f"{base}/bestaat-niet/")
        assert missing.status == 404 and "Pagina niet gevonden" in missing.read().decode()
        health = fetch(f"{base}/health/?format=json")
        checks = json.loads(health.read())
        assert checks["Database(alias='default')"] == "OK" and checks["Elasticsearch()"] == "OK"
        assert set(checks) == {"Database(alias='default')", "Elasticsearch()", "Cluster()"}
    output = scratch_site.log("gunicorn")
    assert "Not Found: /bestaat-niet/" in output and "[GET /bestaat-niet/ user=-]" in output


def test_elasticsearch_takes_several_nodes_tls_authentication_and_replicas_from_settings(settings):
    from search import documents

    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = "https://es1.vdab.example:9200, https://es2.vdab.example:9200"
    settings.EXTRANET_SEARCH_ELASTICSEARCH_OPTIONS = {"api_key": "c2xldXRlbA==", "ssl_assert_fingerprint": "AB" * 32}
    settings.EXTRANET_SEARCH_INDEX_REPLICAS = 1
    documents._client.cache_clear()
    try:
        es = documents.client()
        assert sorted(node.host for node in es.transport.node_pool.all()) == ["es1.vdab.example", "es2.vdab.example"]
        assert all(node.scheme == "https" for node in es.transport.node_pool.all())
        assert es._headers["authorization"] == "ApiKey c2xldXRlbA=="
        assert documents.index_body()["settings"]["number_of_replicas"] == 1
    finally:
        documents._client.cache_clear()


def test_with_the_database_down_pages_answer_503_in_dutch_and_health_says_why(scratch_site, smtp_server):
    down = f"postgres://extranet:extranet@127.0.0.1:{free_port()}/extranet"  # nothing listens
    env = production_env(scratch_site, smtp_server, DATABASE_URL=down)
    with gunicorn(scratch_site.directory, env) as base:
        for path in ["/", "/inloggen/", "/zoeken/?q=toegang"]:
            page = fetch(base + path)
            html = page.read().decode()
            assert page.status == 503, (path, html[:300])
            assert "Extranet is tijdelijk niet beschikbaar" in html
            assert 'href="/static/css/extranet' in html  # the site's layout
            assert page.headers["Retry-After"] == "60"
        health = fetch(f"{base}/health/?format=json")
        assert health.status == 500
        assert json.loads(health.read())["Database(alias='default')"] != "OK"


@pytest.mark.django_db
def test_health_says_when_no_cluster_runs():
    """The check itself (the endpoint runs it in a thread of its own, outside this test's
    transaction; the gunicorn tests call the endpoint)."""
    import datetime

    from django.utils import timezone
    from django_q.models import Schedule
    from health_check.exceptions import ServiceUnavailable

    from cms.health import Cluster

    Schedule.objects.update(next_run=timezone.now() + datetime.timedelta(minutes=5))
    Cluster().run()
    Schedule.objects.filter(name="Digests versturen").update(
        next_run=timezone.now() - datetime.timedelta(minutes=30)
    )
    with pytest.raises(ServiceUnavailable, match="django-q2 cluster not running"):
        Cluster().run()


@pytest.mark.parametrize(
    "cache_url, backend",
    [
        ("db://", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://cache.vdab.example:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_that_workers_share_comes_from_settings(scratch_site, smtp_server, cache_url, backend):
    env = production_env(scratch_site, smtp_server, CACHE_URL=cache_url)
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage(env, "shell", "-v0", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == backend, result.stderr
    if cache_url == "db://":  # the table the README has the operator create
        assert manage(env, "createcachetable").returncode == 0
        roundtrip = "from django.core.cache import cache; cache.set('k', 'gedeeld'); print(cache.get('k'))"
        assert manage(env, "shell", "-v0", "-c", roundtrip).stdout.strip().endswith("gedeeld")


def test_errors_go_to_sentry_only_when_its_dsn_is_set(scratch_site, smtp_server):
    code = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    env = production_env(scratch_site, smtp_server)
    assert manage(env, "shell", "-v0", "-c", code).stdout.strip().endswith("False")
    env["SENTRY_DSN"] = "https://publickey@sentry.vdab.example/1"  # nothing is sent at start
    result = manage(env, "shell", "-v0", "-c", code + "; print(sentry_sdk.get_client().options['send_default_pii'])")
    assert result.stdout.split()[-2:] == ["True", "False"], result.stderr


def test_the_mail_url_is_parsed_by_a_kept_library(scratch_site, smtp_server):
    url = "submission://relay%40vdab.example:p%40ss%2Fw@relay.vdab.example:587"
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS)"
    )
    result = manage(production_env(scratch_site, smtp_server, EMAIL_URL=url), "shell", "-v0", "-c", code)
    assert result.stdout.split() == ["relay.vdab.example", "587", "relay@vdab.example", "p@ss/w", "True"]


@pytest.mark.django_db
def test_the_admin_sends_no_editors_address_hash_to_gravatar(login):
    html = login("redacteur").get("/admin/").content.decode()
    assert "gravatar" not in html.lower()


def test_site_and_worker_recover_by_themselves_when_postgresql_is_back(tmp_path, smtp_server):
    """PostgreSQL goes down under a running gunicorn and django-q2 cluster: pages answer the
    Dutch 503, the health endpoint says why; once it is back, both work again, untouched."""
    import time

    from .processes import PostgresServer, migrated_template, on_postgres

    try:
        postgres = PostgresServer().start()
    except RuntimeError as missing:  # no PostgreSQL on this machine
        if os.environ.get("CI") == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    postgres.create_database()
    base_env = {**os.environ, "VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env = production_env(base_env, smtp_server, DATABASE_URL=postgres.url, DATABASE_CONN_MAX_AGE="600")
    if on_postgres():  # the run's migrated template: migrating costs seconds
        postgres.copy_database(migrated_template())
    else:
        assert manage(env, "migrate", "--noinput", "-v0").returncode == 0
    task = "from django_q.tasks import async_task; print(async_task('math.floor', 2.5))"

    def done(task_id):  # asked of the database straight: a Django process per question costs seconds
        import psycopg

        with psycopg.connect(postgres.url) as connection:
            return connection.execute("SELECT success FROM django_q_task WHERE id = %s", [task_id]).fetchone() == (True,)

    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                              stdout=open(tmp_path / "qcluster.log", "ab"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        with gunicorn(tmp_path, env) as base:
            assert fetch(f"{base}/inloggen/").status == 200
            postgres.stop()
            page = fetch(f"{base}/inloggen/")
            assert page.status == 503 and "tijdelijk niet beschikbaar" in page.read().decode()
            assert json.loads(fetch(f"{base}/health/?format=json").read())["Database(alias='default')"] != "OK"
            time.sleep(5)  # the worker meets the outage too
            postgres.start()
            deadline = time.monotonic() + 60
            while fetch(f"{base}/inloggen/").status != 200:
                assert time.monotonic() < deadline, "the site did not recover"
                time.sleep(1)
            task_id = manage(env, "shell", "-v0", "-c", task).stdout.split()[-1]
            while not done(task_id):
                assert time.monotonic() < deadline + 60, "the worker did not recover"
                time.sleep(0.5)
    finally:
        kill_group(worker)
        postgres.remove()

