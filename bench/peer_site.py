"""Stock Wagtail serving this site's page tree, for `bench/serve_bench.py`.

The peer is what `wagtail start` gives: its middleware, only Wagtail's URLs, Wagtail's own
serving hooks (a `PageViewRestriction` with `restriction_type="groups"`), Wagtail's own
routing, and page contexts that list sub-pages the stock way (`.live().public()`). The same
page types and templates render, under a `base.html` without the extranet's parts
(`peer_templates/`).

In-process: `stock_wagtail()`. As a process of its own (gunicorn): `bench/peer_settings.py`
and `bench/peer_wsgi.py`. This module imports nothing of Wagtail at the top, so that a
settings module can import it.
"""

from contextlib import contextmanager
from pathlib import Path

# The middleware of `wagtail start`'s settings.
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "bench.peer_urls"  # only Wagtail's URLs


def templates(site_templates):
    """The site's TEMPLATES with the peer's `base.html` in front."""
    first = site_templates[0]
    return [{**first, "DIRS": [Path(__file__).parent / "peer_templates", *first["DIRS"]]}]


def stock_context(page, request, *args, **kwargs):
    from wagtail.models import Page

    context = Page.get_context(page, request, *args, **kwargs)
    context["subpages"] = page.get_children().live().public()
    context["breadcrumbs"] = page.get_ancestors().filter(depth__gt=1)
    return context


def become_stock(page_model):
    """Take out the extranet's serving hook, routing and page context; returns what undoes it.

    ``page_model`` is the page class whose ``get_context`` the site's page types share.
    """
    from wagtail import hooks
    from wagtail.models import Page

    from cms_extranet import wagtail_hooks

    ours = (wagtail_hooks.enforce_page_restriction, 0)
    hooks.search_for_hooks()
    before_serve = hooks._hooks["before_serve_page"]
    place = before_serve.index(ours)
    before_serve.remove(ours)
    # Wagtail's own routing and privacy lookup, not the extranet's (RestrictedPageMixin).
    stock = {"get_context": stock_context, "route": Page.route, "get_view_restrictions": Page.get_view_restrictions}
    own = {name: page_model.__dict__.get(name) for name in stock}
    for name, method in stock.items():
        setattr(page_model, name, method)

    def undo():
        for name, method in own.items():
            if method is None:
                delattr(page_model, name)
            else:
                setattr(page_model, name, method)
        before_serve.insert(place, ours)

    return undo


@contextmanager
def stock_wagtail(page_model):
    """Serve as stock Wagtail while inside: no extranet hook, middleware or context."""
    from django.conf import settings
    from django.test import override_settings

    undo = become_stock(page_model)
    try:
        with override_settings(MIDDLEWARE=MIDDLEWARE, ROOT_URLCONF=ROOT_URLCONF, TEMPLATES=templates(settings.TEMPLATES)):
            yield
    finally:
        undo()
