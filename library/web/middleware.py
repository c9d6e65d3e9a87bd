"""Site-wide response rules: readable error pages, private pages kept private."""
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


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
