import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-not-secret"
SITE_URL = os.environ.get("SITE_URL", "http://testserver").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# client.login() passes no request, which axes refuses; tests/test_login_throttle.py turns it on.
AXES_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not EMAIL_URL:  # noqa: F405  (tests that run the site's processes set a real server)
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files straight from the apps (no collectstatic); tests/test_production.py checks
# the production way.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Real files (document downloads stream from disk), never the developer's var/media: the
# directory a test gives a site's processes to share (tests/processes.py), or one of this process.
MEDIA_ROOT = Path(os.environ.get("EXTRANET_TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="extranet-test-media-"))
EXTRANET_PRIVATE_MEDIA_ROOT = MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}-private"
# In-process tasks, except in a real cluster that a test starts (tests/processes.py).
Q_CLUSTER = {  # noqa: F405
    **Q_CLUSTER,  # noqa: F405
    "sync": os.environ.get("EXTRANET_Q_SYNC", "1") == "1",
    "timeout": int(os.environ.get("EXTRANET_Q_TIMEOUT", Q_CLUSTER["timeout"])),  # noqa: F405
    "retry": int(os.environ.get("EXTRANET_Q_RETRY", Q_CLUSTER["retry"])),  # noqa: F405
    # The guard calls the scheduler when its beats add up to 30 s: a 30 s beat calls it at once.
    "guard_cycle": float(os.environ.get("EXTRANET_Q_GUARD_CYCLE", "0.5")),
}
EXTRANET_DIGEST_SEND_LEASE = int(os.environ.get("EXTRANET_DIGEST_SEND_LEASE", "300"))
# In-process tests send in the test's own transaction: one connection, no thread.
EXTRANET_DIGEST_SEND_CONNECTIONS = int(os.environ.get("EXTRANET_DIGEST_SEND_CONNECTIONS", "1"))
EXTRANET_MAIL_RETRY_DELAY = int(os.environ.get("EXTRANET_MAIL_RETRY_DELAY", "60"))

# The suite searches the database; Elasticsearch tests switch to a node of their own, or
# to the cluster that ELASTICSEARCH_URL names, under an alias of this run's own.
ELASTICSEARCH_TEST_URL = EXTRANET_SEARCH_ELASTICSEARCH_URL  # noqa: F405
EXTRANET_SEARCH_ELASTICSEARCH_URL = ""
EXTRANET_SEARCH_INDEX_ALIAS = f"test-extranet-pages-{os.getpid()}"
