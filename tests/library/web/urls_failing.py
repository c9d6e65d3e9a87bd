"""The site's URLs and one view that fails after reading what was posted, for the
tests of error reports and log lines."""
import logging

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def failing(request):
    logging.getLogger("tests.failing").info("About to fail for %s", request.path)
    text = request.POST.get("body", "")
    raise ValueError(f"Could not keep a text of {len(text)} characters")


urlpatterns = [
    path("test-failing/", failing),
    path("", include("intercessors.urls")),
]
