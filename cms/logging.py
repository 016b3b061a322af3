import logging

from django.utils.functional import empty


class RequestFilter(logging.Filter):
    """Adds the request's method, path and user id to every record (``-`` outside a
    request, or when the user was never loaded: logging must not query the database)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        user = getattr(user, "_wrapped", user)
        record.method = getattr(request, "method", "-")
        record.path = getattr(request, "path", "-")
        record.user_id = "-" if user is empty else getattr(user, "pk", None) or "-"
        return True
