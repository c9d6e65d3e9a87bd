"""A short cache of whole pages for anonymous readers.

A burst of readers arriving from a mailing costs one render per page until
something on the site changes. Writes that change what pages show call
`bump()`, which moves every page to a new version at once; members (anyone
with a session) are never served a cached page, so they always see their own
changes immediately.
"""
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

VERSION_KEY = "pagecache:version"
GUARD_KEY = "pagecache:guard"
DIRTY_KEY = "pagecache:dirty"
# Query parameters pages use; a request with any other is served fresh, not cached,
# so made-up parameters cannot fill the cache.
PARAMETERS = {"page", "q", "topic", "state"}
TIMEOUT = 300  # seconds; a backstop, since writes bump the version


def bump(*, throttle: bool = False) -> None:
    """Retire every cached page. With `throttle`, at most once a second: for
    frequent small changes such as prayer counts."""
    if throttle and not cache.add(GUARD_KEY, 1, timeout=1):
        # Bumped less than a second ago: the next reader after the guard
        # expires bumps again (see version), so this change is not lost.
        cache.set(DIRTY_KEY, 1, timeout=TIMEOUT)
        return
    _bump()


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def bump_after_commit(*, throttle: bool = False) -> None:
    """Bump once the current transaction commits, so no reader caches the old page again."""
    transaction.on_commit(lambda: bump(throttle=throttle))


class BumpPagesAdminMixin:
    """Admin changes to what pages show retire the cached pages."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_after_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_after_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_after_commit()


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and set(request.GET) <= PARAMETERS
    )


def version() -> int:
    """The current version of what pages show; cached renders are keyed by it."""
    found = cache.get_many([VERSION_KEY, DIRTY_KEY])
    if DIRTY_KEY in found and cache.add(GUARD_KEY, 1, timeout=1):
        cache.delete(DIRTY_KEY)
        _bump()
        return cache.get(VERSION_KEY, 0)
    return found.get(VERSION_KEY, 0)


def cache_anonymous_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        current = version()
        # One entry per address, holding the version it was rendered at:
        # retired pages are overwritten rather than left to expire.
        key = "page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        hit = cache.get(key)
        if hit is not None and hit[0] == current:
            _, content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (current, response.content, response["Content-Type"]), TIMEOUT)
        return response

    return wrapper
