"""Settings shared by every environment; values come from the environment (SPEC §12)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "cms.pages",
    "cms_extranet",
    "cms_extranet.follow",
    "cms_extranet.access_management",
    "cms_extranet.feedback",
    "cms_extranet.sso",
    "search",
    "wagtail.api.v2",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "wagtail_headless_preview",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_q",
    "axes",
    "health_check",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cms_extranet.sso.middleware.ProviderSessionRefresh",
    "cms_extranet.sso.middleware.AdminLoginsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms_extranet.middleware.PrivateResponseMiddleware",
    "cms_extranet.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a connection the server dropped is replaced, not reused
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the django-q2 cluster write to the same file: a transaction takes
    # the write lock when it begins, so none reads rows another is about to change.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache that every worker and host shares once there is more than one process: CACHE_URL
# "db://" (the database, after `manage.py createcachetable`) or "redis://host:6379/0".
# Unset: each process caches for itself, enough for one machine (`make run`).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://") or "extranet_cache",
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL: unknown scheme in {CACHE_URL.split(':', 1)[0]!r}")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "cms.password_validation.MinimumLengthValidator"},
    {"NAME": "cms.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes) on every login form: after AXES_FAILURE_LIMIT failures for one
# username, or from one client address (REMOTE_ADDR: behind a proxy the web server must set it to
# the client's address), logins are refused for AXES_COOLOFF_TIME hours or until the agency unlocks
# them (`manage.py axes_reset_username <name>` /
# `axes_reset_ip <ip>` / `axes_reset`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "cms_extranet.sso.backends.ProviderBackend",  # only with OIDC_ISSUER set
]
# Login through the agency's identity provider (OpenID Connect), when OIDC_ISSUER is set;
# without it, local accounts only.
EXTRANET_OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
EXTRANET_OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
EXTRANET_OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
EXTRANET_OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "je VDAB-login")
EXTRANET_OIDC_REVALIDATE_SECONDS = int(os.environ.get("OIDC_REVALIDATE_SECONDS", "300"))
EXTRANET_OIDC_ADMIN_LOGINS = os.environ.get("OIDC_ADMIN_LOGINS", "both")
EXTRANET_SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "")
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms_extranet.views.locked_out"
# An extranet session ends when the browser closes, and after 8 hours at the latest.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "/inloggen/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", "Nederlands")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nl-be", "Nederlands"), ("en", "English")]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
# The host's own texts (cms/ and templates/); the plugins bring their catalogues along.
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Signed forms and other files that only a view checking who asks may hand out.
EXTRANET_PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
# Wagtail's documents go to EXTRANET_PRIVATE_MEDIA_ROOT, out of reach of a web server that
# serves MEDIA_ROOT (cms_extranet.storage.MediaStorage).
STORAGES = {
    "default": {"BACKEND": "cms_extranet.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EXTRANET_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
EXTRANET_AGENCY_NAME = "VDAB"

WAGTAIL_SITE_NAME = "Extranet voor partners"
# The headless API (/api/v2/) knows the site's users by their session only, reads only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# Its OpenAPI schema at /api/v2/schema/, Swagger UI at /api/v2/docs/ from the site's own
# static files (drf-spectacular-sidecar), no CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Extranet voor partners API",
    "DESCRIPTION": "Pages, documents, search, following and feedback, as the site answers them.",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v2",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["cms.api.api_endpoints_only"],
}
WAGTAILAPI_LIMIT_MAX = 100
# A front end on another origin (FRONTEND_ORIGINS="https://www.example.be https://…") may
# call /api/v2/ with the session's cookies and send forms with the CSRF token; no other
# origin may. The session cookie stays SameSite=Lax, so the front end must be on the same
# site (a sibling subdomain), not on an unrelated domain.
FRONTEND_ORIGINS = os.environ.get("FRONTEND_ORIGINS", "").split()
CORS_ALLOWED_ORIGINS = FRONTEND_ORIGINS
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/v2/"
CSRF_TRUSTED_ORIGINS = FRONTEND_ORIGINS
# Editors' preview in a front end on another origin (wagtail-headless-preview): the admin's
# preview of a page goes to FRONTEND_PREVIEW_URL, the front end's page that shows a draft,
# with `?content_type=…&token=…`; the front end reads the draft from /api/v2/page_preview/
# with the editor's session (cms.api.PagePreviewAPIViewSet). Unset: Wagtail's own preview.
FRONTEND_PREVIEW_URL = os.environ.get("FRONTEND_PREVIEW_URL", "")
if FRONTEND_PREVIEW_URL and not FRONTEND_PREVIEW_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("FRONTEND_PREVIEW_URL: an absolute http(s) address")
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": FRONTEND_PREVIEW_URL} if FRONTEND_PREVIEW_URL else {},
    "REDIRECT_ON_PREVIEW": True,  # the admin's preview panel frames the front end itself
    "ENFORCE_TRAILING_SLASH": False,  # the address as given
}
# A preview token is good for this many seconds, and only in an editor's session.
HEADLESS_PREVIEW_TOKEN_MAX_AGE = 60 * 60
WAGTAILADMIN_USER_LOGIN_FORM = "cms_extranet.forms.AdminLoginForm"
# No self-service password reset in the admin: it mails anyone who types an agency address,
# unthrottled. Staff passwords are set by an administrator ("Gebruikers"), partners get a
# new link from their Toegangsbeheer administrator.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No editor's e-mail hash goes to Gravatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The site's public address, the one source for the Wagtail Site (cms.pages sets it at every
# migrate), the admin's base URL and every mailed link; never the request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
# Documents are always served through Django so that their restriction is enforced.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The site's search uses Elasticsearch when ELASTICSEARCH_URL is set, else this backend;
# SEARCH_CONFIG gives Dutch stemming on PostgreSQL.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "dutch"}
}

# EMAIL_URL, parsed by dj-email-url: smtp://user:password@host:25 (percent-encoded),
# submission:// (STARTTLS, port 587), smtp://host:465?ssl=True (TLS from the start).
# Unset: mails are written as files under var/mail/ (production refuses that).
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme in {EMAIL_URL.split(':', 1)[0]!r}")
    globals().update({key: value for key, value in _email.items() if value is not None})
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@extranet.vdab.be")

# One node or several, comma-separated; TLS with a CA file or the certificate's SHA-256
# fingerprint, and an API key or a user and password, as the cluster requires.
EXTRANET_SEARCH_ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
EXTRANET_SEARCH_ELASTICSEARCH_OPTIONS = {
    option: value
    for option, value in {
        "ca_certs": os.environ.get("ELASTICSEARCH_CA_CERTS"),
        "ssl_assert_fingerprint": os.environ.get("ELASTICSEARCH_SSL_FINGERPRINT"),
        "api_key": os.environ.get("ELASTICSEARCH_API_KEY"),
        "basic_auth": os.environ.get("ELASTICSEARCH_USERNAME")
        and (os.environ["ELASTICSEARCH_USERNAME"], os.environ.get("ELASTICSEARCH_PASSWORD", "")),
    }.items()
    if value
}
EXTRANET_SEARCH_INDEX_REPLICAS = int(os.environ.get("SEARCH_INDEX_REPLICAS", "0"))
EXTRANET_SEARCH_INDEX_ALIAS = os.environ.get("SEARCH_INDEX_ALIAS", "extranet-pages")

# A task is never handed out again while it may still run: retry > timeout. A task that
# a crash interrupted runs again after `retry` seconds, at most `max_attempts` times; a
# digest run longer than `timeout` is stopped and the five-minute sender finishes it
# (claims, builds and sends exactly once, docs/benchmarks.md).
Q_CLUSTER = {
    "name": "extranet",
    "orm": "default",
    "workers": 2,
    "timeout": 600,
    "retry": 660,
    "max_attempts": 5,
    "catch_up": False,
}

# HTML pages load scripts, styles, images and frames from the site only; the Wagtail
# admin's own inline scripts and styles are allowed (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if EXTRANET_OIDC_ISSUER:
    # The logout form's answer sends the browser on to the provider's logout.
    _issuer = urlsplit(EXTRANET_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")
if FRONTEND_PREVIEW_URL:
    # The admin's preview panel frames the front end's preview page.
    _frontend = urlsplit(FRONTEND_PREVIEW_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] = ["'self'", f"{_frontend.scheme}://{_frontend.netloc}"]

# Everything to standard output, each record with the request's path and user id (never a
# request body): the operator's process manager keeps it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "cms.logging.RequestFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(method)s %(path)s user=%(user_id)s] %(message)s"
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},  # once, not twice
        "elastic_transport": {"level": "WARNING"},
        # Not their banners and task chatter on every command's output.
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
