import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Real files (document downloads stream from disk), never the developer's var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="extranet-test-media-"))
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
