"""The peer (`bench/peer_site.py`) as a WSGI application, with `bench.peer_settings`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.peer_settings"
application = get_wsgi_application()

from bench.peer_site import become_stock  # noqa: E402
from cms.pages.models import BasePage  # noqa: E402

become_stock(BasePage)
