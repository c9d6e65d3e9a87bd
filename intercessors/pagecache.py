"""A short cache of whole pages for anonymous readers.

A burst of readers arriving from a mailing costs one render per page until
something on the site changes. This module is the one place that decides which
cached pages a write retires: services call `retire()` for a change to what
pages show, `retire_counts()` for prayer counts. Members (anyone with a session)
are never served a cached page, so they always see their own changes at once.

The version lives in the default cache, a database table nothing evicts from;
renders live in the bounded `pages` cache (intercessors.caches), tagged with the
version they were made at. So a render that outlived a change, in a cache that
was away while the change was made, is never served again. Each version is a
new random token, so versions never repeat, even if the table is emptied.
"""
import hashlib
import secrets
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers

from .caches import page_store

VERSION_KEY = "pagecache:version"
GUARD_KEY = "pagecache:guard"
DIRTY_KEY = "pagecache:dirty"
TIMEOUT = 300  # seconds; a backstop, since writes bump the version


def retire() -> None:
    """A write changed what pages show: retire every cached page and thread.

    Call it in the write's own transaction, after the write. The version is a row
    of the database cache, so the new version commits with the new data: a reader
    sees either the old data under the old version, or the new under the new."""
    _new_version()


def retire_counts() -> None:
    """Prayer counts changed. Counts move with every click, so pages are retired at
    most once a second, after the click commits; a change within that second marks
    the pages dirty, and the next reader after it retires them (see `version`)."""
    transaction.on_commit(_retire_throttled)


def _retire_throttled() -> None:
    if not cache.add(GUARD_KEY, 1, timeout=1):
        cache.set(DIRTY_KEY, 1, timeout=TIMEOUT)
        return
    _new_version()


def _new_version() -> str:
    token = secrets.token_hex(8)
    cache.set(VERSION_KEY, token, timeout=None)
    return token


class RetirePagesAdminMixin:
    """Staff changes in admin to what pages show retire the cached pages."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        retire()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        retire()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        retire()


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def version(request=None) -> str:
    """The current version of what pages show; cached renders are tagged with it.
    Read once per request: a page and its thread are of the same version."""
    if request is not None and hasattr(request, "_page_version"):
        return request._page_version
    current = _read_version()
    if request is not None:
        request._page_version = current
    return current


def _read_version() -> str:
    found = cache.get_many([VERSION_KEY, DIRTY_KEY])
    if DIRTY_KEY in found and cache.add(GUARD_KEY, 1, timeout=1):
        cache.delete(DIRTY_KEY)
        return _new_version()
    if VERSION_KEY in found:
        return found[VERSION_KEY]
    cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
    return cache.get(VERSION_KEY)


def cache_anonymous_page(*, reads=()):
    """Cache a view's pages for anonymous readers, one per value of the query
    parameters in `reads`. The view sees only those: whatever else an address
    carries (a mailing's tracking tags, made-up parameters) can neither change
    the page nor add an entry to the cache."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            used = urlencode(
                sorted((name, value) for name in reads for value in request.GET.getlist(name))
            )
            # Everything the page may print of its own address (log-in links, forms'
            # "next") is built from these too, so the page matches its key.
            request.GET = QueryDict(used)
            request.META["QUERY_STRING"] = used
            current = version(request)
            # One entry per page, holding the version it was rendered at:
            # retired renders are overwritten rather than left to expire.
            address = f"{request.path}?{request.GET.urlencode()}"
            key = "page:" + hashlib.sha256(address.encode()).hexdigest()[:32]
            store = page_store()
            hit = store.get(key)
            if hit is not None and hit[0] == current:
                _, content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if (
                    response.status_code == 200
                    and not response.cookies
                    and not getattr(response, "streaming", False)
                ):
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    store.set(key, (current, response.content, response["Content-Type"]),
                              TIMEOUT)
            # A member asking for the same address gets another page.
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator
