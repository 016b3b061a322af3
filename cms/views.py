import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string


def server_error(request):
    """handler500: the Dutch error page in the site's layout, rendered without a request so
    that it needs no database. A database that cannot be reached (down, or locked too
    long) is a 503 "tijdelijk niet beschikbaar" with a Retry-After."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
