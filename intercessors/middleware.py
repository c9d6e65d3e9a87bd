"""Give bare error responses a page a person can read."""
from django.template.loader import render_to_string


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

