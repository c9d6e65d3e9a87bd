"""Site-wide response rules: readable error pages, private pages kept private, an
id and a log line for each request."""
import logging
import re
import time
import uuid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.functional import empty

from library import health
from library.web import logs


class HealthCheckMiddleware:
    """Answers `/healthz` before any other middleware looks at the request. A load
    balancer asks each server by its private address (`Host: 10.0.0.11:8000`),
    which is no name of the site: the host check (ALLOWED_HOSTS) would refuse it
    with a 400, the HTTPS redirect would send it away, and every server would be
    marked down. The answer holds nothing private (library.health.healthz)."""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.PATH:
            return health.healthz(request)
        return self.get_response(request)


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


class PrivatePagesMiddleware:
    """A page made for one person (a member, or a browser with a session, such as
    a partner's thanks page) is marked `private, no-store`: no proxy may keep it,
    and the browser does not show it again from its cache after log-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or (session is not None and session.modified)
            or (user is not None and user.is_authenticated)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


# An id a proxy or load balancer already gave the request is kept when it looks
# like one (a UUID, a hex or base64url token); anything else is replaced.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
request_log = logging.getLogger("library.requests")


class RequestIdMiddleware:
    """Gives each request an id, sent back as X-Request-ID and stamped on every log
    line written while it is served (library.web.logs), and writes one line for the
    request: method, path without its query, status, time taken, member id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            path = logged_path(request)
            request_log.info(
                "%s %s %s", request.method, path, response.status_code,
                extra={"method": request.method, "path": path,
                       "status": response.status_code, "member": _member_id(request),
                       "duration_ms": round((time.monotonic() - started) * 1000, 1)})
            return response
        finally:
            logs.request_id.reset(token)


def logged_path(request) -> str:
    """The page's URL pattern ("/updates/leave/<str:token>/"), not its path: a link
    from a mail carries a secret that works on its own (to leave the list, to pray
    as the reader, to confirm an address), and logs travel further than the site.
    A path that matched no page is logged as asked."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else request.path


def _member_id(request) -> int | None:
    """The member's id if the request already looked them up; never a query of its
    own, and never the address."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if wrapped.is_authenticated else None
