from urllib.parse import urlparse

from django.utils.cache import patch_cache_control
from wagtail.contrib.redirects import middleware as redirects_middleware
from wagtail.contrib.redirects.models import Redirect

from .models import RestrictionVersion
from .rich_text import reader
from .views import denial_response, page_denial


class PrivateResponseMiddleware:
    """Keeps responses about restricted pages and documents, and every response to a
    logged-in user (sub-page lists, breadcrumbs and the profile name what they may
    read), out of shared caches; tells rich text who reads it (``rich_text``); and reads
    the restriction version once per request (``RestrictionVersion.read_once``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = reader.set(getattr(request, "user", None))
        try:
            with RestrictionVersion.read_once():
                response = self.get_response(request)
        finally:
            reader.reset(token)
        user = getattr(request, "user", None)
        if getattr(request, "extranet_private", False) or getattr(user, "is_authenticated", False):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RedirectMiddleware(redirects_middleware.RedirectMiddleware):
    """Wagtail's redirects, except that a redirect to a page the visitor may not read
    answers as that page would: it never tells them where the page now lives."""

    def process_response(self, request, response):
        redirected = super().process_response(request, response)
        if redirected is response:
            return response
        path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = redirects_middleware.get_redirect(request, path) or redirects_middleware.get_redirect(
            request, urlparse(path).path
        )
        page = redirect.redirect_page if redirect else None
        if page is None:
            return redirected
        denial = denial_response(request, page_denial(request, page))
        if denial is None:
            return redirected
        if hasattr(denial, "render"):
            denial.render()
        return denial
