import sys

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader


def server_error(request, template_name="500.html"):
    """A 500 handler that tells a database outage (503, translated, retry later) from a bug.

    Neither page touches the database: they render without the request's context
    processors, which read the user's notifications."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.render_to_string(template_name))
