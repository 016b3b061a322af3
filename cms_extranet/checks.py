"""System checks for what would silently open a path around the access rules."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.files.storage import storages
from django.urls import NoReverseMatch, reverse

REQUIRED_APPS = ["wagtail.contrib.settings", "wagtail.documents", "wagtail_modeladmin", "django_q"]
PRIVATE_RESPONSES = "cms_extranet.middleware.PrivateResponseMiddleware"
WAGTAIL_REDIRECTS = "wagtail.contrib.redirects.middleware.RedirectMiddleware"


@register()
def check_access_settings(app_configs, **kwargs):
    problems = []
    if getattr(settings, "WAGTAILDOCS_SERVE_METHOD", None) != "serve_view":
        problems.append(
            Error(
                "Documents are not served through Wagtail's serve view, so their "
                "restriction is not enforced.",
                hint='Set WAGTAILDOCS_SERVE_METHOD = "serve_view".',
                id="cms_extranet.E001",
            )
        )
    for app in REQUIRED_APPS:
        if not apps.is_installed(app):
            problems.append(
                Error(f"{app} is not in INSTALLED_APPS.", hint=f'Add "{app}".', id="cms_extranet.E002")
            )
    names = list(settings.INSTALLED_APPS)
    if "wagtail.admin" in names and names.index("cms_extranet") > names.index("wagtail.admin"):
        problems.append(
            Error(
                "cms_extranet comes after wagtail.admin: the admin shows Wagtail's privacy "
                "instead of the extranet restriction.",
                hint='Put "cms_extranet" before "wagtail.admin" in INSTALLED_APPS.',
                id="cms_extranet.E003",
            )
        )
    from .storage import MediaStorage

    if not isinstance(storages["default"], MediaStorage):
        problems.append(
            Error(
                "Wagtail's documents are stored under MEDIA_ROOT, where a web server serving "
                "media hands them to anyone.",
                hint='Set STORAGES["default"] to {"BACKEND": "cms_extranet.storage.MediaStorage"}.',
                id="cms_extranet.E004",
            )
        )
    try:
        login_url = reverse("extranet:login")
    except NoReverseMatch:
        login_url = None
    if login_url is None or settings.LOGIN_URL not in (login_url, "extranet:login"):
        problems.append(
            Warning(
                "LOGIN_URL is not the extranet's login: anonymous visitors of a secured page "
                "are sent elsewhere.",
                hint='Include cms_extranet.urls and set LOGIN_URL = "extranet:login".',
                id="cms_extranet.W005",
            )
        )
    middleware = list(settings.MIDDLEWARE)
    if PRIVATE_RESPONSES not in middleware:
        problems.append(
            Error(
                "Responses about restricted pages may be kept by shared caches, and rich-text "
                "links do not know who reads them.",
                hint=f'Add "{PRIVATE_RESPONSES}" to MIDDLEWARE.',
                id="cms_extranet.E006",
            )
        )
    if WAGTAIL_REDIRECTS in middleware:
        problems.append(
            Error(
                "Wagtail's redirect middleware tells anyone where a restricted page now lives.",
                hint=f'Replace "{WAGTAIL_REDIRECTS}" with "cms_extranet.middleware.RedirectMiddleware".',
                id="cms_extranet.E007",
            )
        )
    return problems
