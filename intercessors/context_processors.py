"""Values every template may use: site name and the reader's state link."""
from django.conf import settings
from django.urls import reverse


def site(request):
    user = getattr(request, "user", None)

    def my_state_url():
        # Called by the template only where the link is shown, so pages
        # without it make no query for the member's state.
        if user is not None and user.is_authenticated and user.home_state_id:
            return user.home_state.get_absolute_url()
        return reverse("states:index")

    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "MINISTRY_NAME": settings.MINISTRY_NAME,
        "my_state_url": my_state_url,
    }
