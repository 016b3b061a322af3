from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    """Keeps responses about restricted pages and documents, and every response to a
    logged-in user (sub-page lists, breadcrumbs and the profile name what they may
    read), out of shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(request, "extranet_private", False) or getattr(user, "is_authenticated", False):
            patch_cache_control(response, private=True, no_store=True)
        return response
