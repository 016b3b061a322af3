import os

from .base import *  # noqa: F401,F403

DEBUG = True

if not SECRET_KEY:  # noqa: F405
    # A demo reachable by others must not sign links with a public key: one random key per
    # checkout, created on first run.
    from django.core.management.utils import get_random_secret_key

    _key_file = VAR_DIR / "secret_key"  # noqa: F405
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405
# Static files straight from the apps, as they change; production serves collectstatic's.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# `make run` shows the request log: the worker's routine lines (every task it takes) and
# Wagtail's page log (each page of the demo content) only from warnings up.
LOGGING["loggers"].update({"django-q": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}})  # noqa: F405
