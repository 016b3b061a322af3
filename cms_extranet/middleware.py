from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    """Keeps responses about restricted pages and documents out of shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "extranet_private", False):
            patch_cache_control(response, private=True, no_store=True)
        return response
