import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from cms.pages.models import ContentPage, HomePage
from cms_extranet.models import PartnerAccount, Profile
from es_node import Node, missing_tools
from search import documents, indexing

from .browser import chromium, web_server
from .processes import (
    ROOT, ScratchSite, SMTPServer, clone_migrated, copy_template_media, drop_database, migrated_template, on_postgres,
    run_directory,
)

PASSWORD = "extranet-demo"


# The slow groups, by what a test uses; `-m "not slow"` runs the rest in a few minutes.
GROUPS = {
    "browser": {"browser"},
    "processes": {"scratch_site", "smtp_server"},
    "elasticsearch": {"elasticsearch", "elasticsearch_url"},
    "integration": {"wheel"},
}
# Under pytest-xdist (`make test`), all of these run on one worker, which alone starts what
# they share (the Elasticsearch node, the wheel); the other groups' tests, one module to a
# worker (a scratch site, cloned from the template, is cheap; a module's browser is shared).
SHARED_BY_GROUP = {"elasticsearch", "integration"}
group_seconds = Counter()
group_tests = Counter()


def group_of(item):
    used = set(item.fixturenames)
    if getattr(item, "callspec", None) and item.callspec.params.get("search_backend") == "elasticsearch":
        used.add("elasticsearch")
    for group, fixtures in GROUPS.items():
        if used & fixtures or item.get_closest_marker(group):
            return group
    return "rest"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        group = group_of(item)
        item.user_properties.append(("group", group))
        if group != "rest":
            item.add_marker(group)
            item.add_marker("slow")
            item.add_marker(pytest.mark.xdist_group(group if group in SHARED_BY_GROUP else item.module.__name__))


def pytest_runtest_logreport(report):
    group = dict(report.user_properties).get("group")
    if group:
        group_seconds[group] += report.duration
        group_tests[group] += report.when == "call"


def pytest_terminal_summary(terminalreporter):
    if group_seconds:
        terminalreporter.section("time per group (summed over the workers)")
        for group, seconds in group_seconds.most_common():
            terminalreporter.write_line(f"{group:<14} {group_tests[group]:>4} tests {seconds:>7.1f} s")


def pytest_configure(config):
    """One directory for the run, shared with pytest-xdist's workers (they inherit the
    environment): the migrated template database lives there."""
    if "EXTRANET_TEST_RUN_DIR" not in os.environ:
        os.environ["EXTRANET_TEST_RUN_DIR"] = config.extranet_run_dir = tempfile.mkdtemp(prefix="extranet-test-run-")


def pytest_unconfigure(config):
    directory = getattr(config, "extranet_run_dir", None)
    if directory:
        template = run_directory() / "template.url"
        if template.exists():
            drop_database(template.read_text())
        shutil.rmtree(directory, ignore_errors=True)
        del os.environ["EXTRANET_TEST_RUN_DIR"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """The test database of this process (each pytest-xdist worker has its own) starts as a
    copy of the run's template, the demo extranet, which Django keeps (django_db_keepdb)
    instead of creating and migrating one; every test is rolled back to it. On SQLite the copy
    stays in memory, where Django would put it."""
    from django.db import connections

    copy_template_media(settings.MEDIA_ROOT)
    if not on_postgres():
        memory = sqlite3.connect("file:memorydb_default?mode=memory&cache=shared", uri=True)
        with sqlite3.connect(urlsplit(migrated_template()).path[1:]) as template:
            template.backup(memory)
        yield
        connections.close_all()
        memory.close()
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = clone_migrated(f"test_extranet_{worker}_{uuid.uuid4().hex[:8]}", None)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = urlsplit(url).path[1:]
    yield
    connections.close_all()
    drop_database(url)


@pytest.fixture(scope="session")
def django_db_keepdb():
    return True


@pytest.fixture(scope="session", autouse=True)
def remove_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.EXTRANET_PRIVATE_MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def home(db):
    return HomePage.objects.get()


def make_page(parent, slug, restriction="inherit", profiles=(), publish=True):
    page = ContentPage(title=slug.replace("-", " ").capitalize(), slug=slug, restriction=restriction)
    page.restriction_profiles = list(Profile.objects.filter(code__in=profiles))
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def set_restriction(page, restriction, profiles=()):
    """Change a page's restriction the way an editor does: in a new revision, published."""
    page = page.specific
    page.restriction = restriction
    page.restriction_profiles = list(Profile.objects.filter(code__in=profiles))
    page.save_revision().publish()
    return page


@pytest.fixture
def login(client, django_user_model):
    def login(username):
        client.user = django_user_model.objects.get(username=username)
        client.force_login(client.user)
        return client

    return login


@pytest.fixture(scope="session")
def elasticsearch_url():
    """A real Elasticsearch: ELASTICSEARCH_URL's cluster, or a node of this run's own."""
    if settings.ELASTICSEARCH_TEST_URL:
        yield settings.ELASTICSEARCH_TEST_URL
        return
    reason = missing_tools()
    if reason:
        message = f"Elasticsearch tests need Java and Maven to fetch and run a node ({reason})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    node = Node()
    yield node.start()
    node.stop()


def drop_indices(es):
    names = es.indices.get(index=f"{documents.alias_name()}-*", ignore_unavailable=True, allow_no_indices=True)
    for name in names:
        es.indices.delete(index=name)


@pytest.fixture
def elasticsearch(elasticsearch_url, settings, db):
    """Search through Elasticsearch, with a fresh index of the demo pages."""
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = elasticsearch_url
    es = documents.client()
    drop_indices(es)
    indexing.rebuild()
    yield es
    drop_indices(es)


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request, settings, db):
    """Runs a test once per search backend: the shared contract."""
    if request.param == "elasticsearch":
        return request.getfixturevalue("elasticsearch")
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = ""
    return None


def index_changes(es):
    """What the worker does after a change, then make it searchable at once."""
    if es is not None:
        indexing.process_updates()
        es.indices.refresh(index=documents.alias_name())


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """The distribution as `pip wheel` builds it from a copy of the sources (no stale build/)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    for package in ("cms_extranet", "search"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    output = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(output), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr
    [path] = output.glob("wagtail_extranet-*.whl")
    return path


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback, for the whole run."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


@pytest.fixture(scope="session")
def scratch_site(tmp_path_factory, smtp_server):
    """A site of its own (database with the demo content) for tests that run its processes."""
    site = ScratchSite(tmp_path_factory.mktemp("site"), EMAIL_URL=smtp_server.url)
    yield site
    site.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a request and then what its transaction does after commit (the mails)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def mlp_admin(django_user_model):
    """An administrator of the MLP-registering organisation of mlp.partner."""
    user = django_user_model.objects.create_user("mlp.admin", "mlp.admin@example.be", "extranet-demo")
    return PartnerAccount.objects.create(
        user=user, vestiging=PartnerAccount.objects.get(user__username="mlp.partner").vestiging, is_administrator=True
    )


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module at a time (see tests/browser.py)."""
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def base_url(scratch_site):
    """The scratch site's web server."""
    with web_server(scratch_site) as url:
        yield url


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context: each person has their own cookies."""
    contexts, errors = [], []

    def new_page():
        context = browser.new_context(locale="nl-BE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors: {errors}"
