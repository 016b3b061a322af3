"""The plugin's system checks report each misconfiguration that would open a way around
the access rules, with an id and a hint; this site's settings report nothing."""

from django.apps import apps
from django.conf import settings as django_settings

from cms_extranet.checks import check_access_settings


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
    assert problem.id == "cms_extranet.W005" and "/inloggen/" in problem.hint
