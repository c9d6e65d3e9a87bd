"""The cookie of a prayer clicked before logging in is deleted once it is recorded."""
from .services import PENDING_PRAYER_COOKIE


class PendingPrayerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "pending_prayer_spent", False):
            response.delete_cookie(PENDING_PRAYER_COOKIE, samesite="Lax")
        return response
