"""The peer (`bench/peer_site.py`) as a site of its own for gunicorn: the production
settings with stock Wagtail's middleware, URLs and templates. Serve `bench.peer_wsgi`.

Its database carries Wagtail's `PageViewRestriction`s (groups) on the secured sections
(`bench/serve_load.py` puts them there), in place of the extranet's own restrictions.
"""

from bench import peer_site
from cms.settings.production import *  # noqa: F403
from cms.settings.production import TEMPLATES

MIDDLEWARE = peer_site.MIDDLEWARE
ROOT_URLCONF = peer_site.ROOT_URLCONF
TEMPLATES = peer_site.templates(TEMPLATES)
LOGIN_URL = WAGTAIL_FRONTEND_LOGIN_URL = "/_util/login/"  # Wagtail's own login form
