"""The site's URLs, and the benchmark's ceiling page (tests/perf/bench_settings.py)."""
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from intercessors.urls import urlpatterns as site


@require_safe
def ceiling(request):
    """A page of about a post page's size that touches no database."""
    return render(request, "bench/ceiling.html", {"items": range(50)})


urlpatterns = [path("bench/ceiling/", ceiling), *site]
