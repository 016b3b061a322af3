"""The plugin's system checks report each misconfiguration that would open a way around
the access rules, with an id and a hint; this site's settings report nothing."""

from django.apps import apps
from django.conf import settings as django_settings

from cms_extranet.checks import check_access_settings
from search.checks import check_elasticsearch

from .processes import free_port


def ids():
    return sorted(problem.id for problem in check_access_settings(None))


def test_this_sites_settings_pass():
    assert ids() == []


def test_documents_served_directly_are_an_error(settings):
    settings.WAGTAILDOCS_SERVE_METHOD = "direct"
    assert ids() == ["cms_extranet.E001"]


def test_a_missing_app_is_an_error(monkeypatch):
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "wagtail.contrib.settings")
    [problem] = check_access_settings(None)
    assert problem.id == "cms_extranet.E002" and "wagtail.contrib.settings" in problem.msg


def test_the_extranet_after_wagtails_admin_is_an_error(monkeypatch):
    names = [name for name in django_settings.INSTALLED_APPS if name != "cms_extranet"] + ["cms_extranet"]
    monkeypatch.setattr(django_settings, "INSTALLED_APPS", names)  # no app registry reload
    assert ids() == ["cms_extranet.E003"]


def test_documents_under_media_root_are_an_error(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    [problem] = check_access_settings(None)
    assert problem.id == "cms_extranet.E004" and "MediaStorage" in problem.hint


def test_another_login_url_is_a_warning(settings):
    settings.LOGIN_URL = "/accounts/login/"
    [problem] = check_access_settings(None)
    assert problem.id == "cms_extranet.W005" and "extranet:login" in problem.hint


def test_apps_the_rules_need_are_required(monkeypatch):
    for app in ("wagtail_modeladmin", "django_q"):
        monkeypatch.setattr(apps, "is_installed", lambda name, app=app: name != app)
        [problem] = check_access_settings(None)
        assert problem.id == "cms_extranet.E002" and app in problem.msg


def test_responses_without_the_private_middleware_are_an_error(settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("PrivateResponseMiddleware")]
    assert ids() == ["cms_extranet.E006"]


def test_wagtails_own_redirects_are_an_error(settings):
    settings.MIDDLEWARE = [
        "wagtail.contrib.redirects.middleware.RedirectMiddleware" if name.endswith(".RedirectMiddleware") else name
        for name in settings.MIDDLEWARE
    ]
    assert ids() == ["cms_extranet.E007"]


def test_an_unreachable_elasticsearch_is_a_warning(settings):
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    [problem] = check_elasticsearch(None)
    assert problem.id == "extranet_search.W001"
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = ""
    assert check_elasticsearch(None) == []


def test_elasticsearch_without_its_client_is_an_error(settings, monkeypatch):
    settings.EXTRANET_SEARCH_ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    monkeypatch.setattr("search.checks.find_spec", lambda name: None if name == "elasticsearch_dsl" else object())
    [problem] = check_elasticsearch(None)
    assert problem.id == "extranet_search.E002" and "[elasticsearch]" in problem.hint
