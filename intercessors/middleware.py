"""Give bare error responses, and a database that is away, a page a person can read."""
import logging

from django.db import DatabaseError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class FriendlyMethodNotAllowedMiddleware:
    """`require_POST` and friends answer 405 with an empty body, which browsers show
    as their own error screen; send our page instead, keeping the Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class DatabaseUnavailableMiddleware:
    """While the database is away (a restart, a failover), answer 503 with a clear page
    instead of an error, keeping what the member typed so it can be sent again.
    Nothing was saved: the request's transaction never committed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError) or not _database_is_away(exception):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path,
                       exception)
        from django.http import HttpResponse

        typed = request.POST.get("body", "") if request.method == "POST" else ""
        content = render_to_string("503.html", {"typed": typed[:20000]})
        response = HttpResponse(content, status=503)
        response["Retry-After"] = "5"
        return response


def _database_is_away(exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, (OperationalError, InterfaceError))
