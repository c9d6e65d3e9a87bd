"""Values every template may use: site name, and the parts that differ between
readers (intercessors.parts): the reader's state link and the CSRF token."""
from django.conf import settings

from . import parts


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "MINISTRY_NAME": settings.MINISTRY_NAME,
        "my_state_url": parts.marker("mystate"),
        # Replaces Django's own: `{% csrf_token %}` prints the part, filled per request.
        "csrf_token": parts.marker("csrf"),
    }
