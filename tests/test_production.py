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


# The production settings in the environments below, each evaluated afresh, all in one
# process (a Django start per environment cost one to two seconds each); check --deploy and
# gunicorn start Django for real above and below.
RELAY = "submission://relay%40vdab.example:p%40ss%2Fw@relay.vdab.example:587"
ENVIRONMENTS = {
    "SECRET_KEY": {"SECRET_KEY": ""},
    "ALLOWED_HOSTS": {"ALLOWED_HOSTS": ""},
    "EMAIL_URL": {"EMAIL_URL": ""},
    "smtq": {"EMAIL_URL": "smtq://mail.example"},
    "db://": {"CACHE_URL": "db://"},
    "redis://cache.vdab.example:6379/0": {"CACHE_URL": "redis://cache.vdab.example:6379/0"},
    "relay": {"EMAIL_URL": RELAY},
    "without Sentry": {},
    "with Sentry": {"SENTRY_DSN": "https://publickey@sentry.vdab.example/1"},  # nothing is sent at start
}
SETTINGS_PROBE = """
import importlib, json, os, sys
import sentry_sdk
from django.conf import global_settings
answers = {}
for name, env in json.load(sys.stdin).items():
    os.environ.clear()
    os.environ.update(env)
    for module in [m for m in sys.modules if m.startswith("cms.settings")]:
        del sys.modules[module]
    try:
        s = importlib.import_module("cms.settings.production")
    except Exception as error:
        answers[name] = {"error": f"{type(error).__name__}: {error}"}
        continue
    client, setting = sentry_sdk.get_client(), lambda n: getattr(s, n, getattr(global_settings, n))
    answers[name] = {
        "cache": setting("CACHES")["default"]["BACKEND"],
        "mail": [setting(n) for n in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")],
        "sentry": [client.is_active(), client.options.get("send_default_pii")],
    }
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def production_settings(smtp_server):
    base = production_env(dict(os.environ), smtp_server)
    environments = {name: {**base, **extra} for name, extra in ENVIRONMENTS.items()}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, input=json.dumps(environments),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without_its_settings(production_settings, missing):
    assert production_settings[missing] == {"error": f"ImproperlyConfigured: {missing} must be set in production"}


def test_an_unknown_mail_scheme_is_refused(production_settings):
    assert "EMAIL_URL: unknown scheme" in production_settings["smtq"]["error"]


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
def test_the_cache_that_workers_share_comes_from_settings(production_settings, cache_url, backend):
    assert production_settings[cache_url]["cache"] == backend


def test_the_database_cache_works_once_its_table_is_created(scratch_site, smtp_server):
    """The table the README has the operator create."""
    env = production_env(scratch_site, smtp_server, CACHE_URL="db://")
    assert manage(env, "createcachetable").returncode == 0
    roundtrip = "from django.core.cache import cache; cache.set('k', 'gedeeld'); print(cache.get('k'))"
    assert manage(env, "shell", "-v0", "-c", roundtrip).stdout.strip().endswith("gedeeld")


def test_errors_go_to_sentry_only_when_its_dsn_is_set(production_settings):
    assert production_settings["without Sentry"]["sentry"][0] is False
    assert production_settings["with Sentry"]["sentry"] == [True, False]  # active, no personal data


def test_the_mail_url_is_parsed_by_a_kept_library(production_settings):
    assert production_settings["relay"]["mail"] == ["relay.vdab.example", 587, "relay@vdab.example", "p@ss/w", True]


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

