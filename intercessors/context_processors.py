"""Values every template may use: the site's and the ministry's names and address."""
from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "MINISTRY_NAME": settings.MINISTRY_NAME,
    }
