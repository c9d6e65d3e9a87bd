"""Pages rendered once and shared by every reader, member or not.

A burst of readers arriving from a mailing costs one render per page until
something it shows changes. What differs between readers (their header, "You
prayed", forms and their CSRF tokens, a comment's actions, messages, the live
prayer counts) is not in the shared render but filled in for each request
(`intercessors.parts`); the view itself renders as for a reader who is not
logged in, so nothing of one member can be kept for another.

Each render depends on versions: the whole site's (`SITE`), and the scopes its
view names: the lists of posts and requests (`LISTS`), one post, one state, one
request. A write retires only the scopes it changed (`retire`): a comment on a
post retires that post and the lists that count its comments, a staff change in
admin retires the site. "I Prayed" retires nothing, since counts are filled in
live. This module is the one place that decides which renders a write retires.

Versions live in the default cache, a database table nothing evicts from;
renders live in the bounded `pages` cache (intercessors.caches), tagged with the
versions they were made at. So a render that outlived a change, in a cache that
was away while the change was made, is never served again. Each version is a
new random token, so versions never repeat, even if the table is emptied.
"""
import hashlib
import secrets
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers

from . import parts
from .caches import page_store

SITE = "site"
LISTS = "lists"
TIMEOUT = 300  # seconds; a backstop, since writes retire what they change


def _key(scope: str) -> str:
    return f"pagecache:version:{scope}"


def retire(*scopes: str) -> None:
    """A write changed what pages show: retire the renders of these scopes, or of
    the whole site when none is named.

    Call it in the write's own transaction, after the write. Versions are rows of
    the database cache, so new versions commit with the new data: a reader sees
    either the old data under the old version, or the new under the new."""
    cache.set_many({_key(scope): secrets.token_hex(8) for scope in scopes or (SITE,)},
                   timeout=None)


def versions(scopes, request=None) -> tuple:
    """The current versions of these scopes, read in one round trip and kept for
    the rest of the request: a page and its thread are of the same versions."""
    known = getattr(request, "_page_versions", None)
    if known is None:
        known = {}
        if request is not None:
            request._page_versions = known
    missing = [scope for scope in scopes if scope not in known]
    if missing:
        found = cache.get_many([_key(scope) for scope in missing])
        for scope in missing:
            value = found.get(_key(scope))
            if value is None and scope == SITE:
                cache.add(_key(scope), secrets.token_hex(8), timeout=None)
                value = cache.get(_key(scope))
            # A scope never retired has no version of its own yet: the site's new
            # token, made whenever the table loses it, still sets its renders apart.
            known[scope] = value or ""
    return tuple(known[scope] for scope in scopes)


def version(request=None) -> str:
    """The site-wide version: what every render depends on."""
    return versions((SITE,), request)[0]


def sharing(request) -> bool:
    """Whether this request is rendering a page to be shared (see `shared_page`)."""
    return getattr(request, "shared_render", False)


def private_for(request, user_ids) -> None:
    """This render is not the page these members see (a request of their own,
    their comment awaiting moderation): they get a render of their own."""
    request._private_for = getattr(request, "_private_for", frozenset()) | {
        pk for pk in user_ids if pk is not None}


@dataclass(frozen=True)
class Render:
    versions: tuple
    content: bytes
    content_type: str
    private_for: frozenset


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


def _shareable(request) -> bool:
    """Staff see drafts and previews no one else may: their pages are their own."""
    user = getattr(request, "user", None)
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated and user.is_staff)
    )


def shared_page(*, reads=(), scopes=None, lifetime=None):
    """Render a view's pages once for every reader, one per value of the query
    parameters in `reads`, and fill in each reader's parts per request.

    The view sees only those parameters: whatever else an address carries (a
    mailing's tracking tags, made-up parameters) can neither change the page nor
    add an entry. `scopes(request, *args, **kwargs)` names what the page shows
    besides what the whole site does (see `retire`); `lifetime`, seconds after
    which a render is made again whatever changed (pages ordered by live counts),
    may also be a function of the request."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            used = urlencode(
                sorted((name, value) for name in reads for value in request.GET.getlist(name))
            )
            # Everything the page may print of its own address (log-in links, forms'
            # "next") is built from these too, so the page matches its key, and a
            # page rendered for one reader alone matches the page kept for all.
            request.GET = QueryDict(used)
            request.META["QUERY_STRING"] = used
            if not _shareable(request):
                return view(request, *args, **kwargs)
            current = versions((SITE, *(scopes(request, *args, **kwargs) if scopes else ())),
                               request)
            ttl = lifetime(request) if callable(lifetime) else lifetime
            if ttl:
                current += (int(time.time() // ttl),)
            # One entry per page, holding the versions it was rendered at:
            # retired renders are overwritten rather than left to expire.
            address = f"{request.path}?{request.GET.urlencode()}"
            key = "page:" + hashlib.sha256(address.encode()).hexdigest()[:32]
            store = page_store()
            hit = store.get(key)
            user = request.user
            if isinstance(hit, Render) and hit.versions == current:
                if user.pk in hit.private_for:
                    return view(request, *args, **kwargs)
                response = HttpResponse(hit.content, content_type=hit.content_type)
                if _for_guests(request):
                    _fill_for_guests(request, key, hit, response)
            else:
                try:
                    response = _render_shared(view, request, args, kwargs)
                except (Http404, PermissionDenied):
                    if not user.is_authenticated:
                        raise
                    # Not a page for everyone, but perhaps this member's own (their
                    # request awaiting review): the view decides, for them.
                    return view(request, *args, **kwargs)
                if (
                    response.status_code == 200
                    and not response.cookies
                    and not getattr(response, "streaming", False)
                ):
                    made = Render(current, response.content, response["Content-Type"],
                                  getattr(request, "_private_for", frozenset()))
                    store.set(key, made, TIMEOUT)
                    if _for_guests(request):
                        _fill_for_guests(request, key, made, response)
                if user.pk in getattr(request, "_private_for", ()):
                    return view(request, *args, **kwargs)
            # Pages differ by who asks once their parts are filled in.
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator


@dataclass(frozen=True)
class Filled:
    """A page filled in for guests, with what its parts were filled from."""
    versions: tuple
    calls: dict
    prepared: dict
    content: bytes


def _for_guests(request) -> bool:
    """Readers who are not logged in and have no message waiting all see the same
    filled page, as long as what its parts show (the live counts) stays the same."""
    return not request.user.is_authenticated and CookieStorage.cookie_name not in request.COOKIES


def _fill_for_guests(request, key, made: Render, response) -> None:
    """Fill `response` for a guest from the filled page kept for guests, if what its
    parts show has not changed since; else fill it, and keep that."""
    store = page_store()
    kept = store.get(key + ":guests")
    if isinstance(kept, Filled) and kept.versions == made.versions:
        if parts.prepare(request, kept.calls) == kept.prepared:
            response.content = kept.content
            response.parts_filled = True
            return
    parsed = parts.cut(request, made.content.decode())
    calls = parsed.calls()
    prepared = parts.prepare(request, calls)
    response.content = parts.render(request, parsed, prepared)
    response.parts_filled = True
    if not parts.per_reader(parsed):
        store.set(key + ":guests", Filled(made.versions, dict(calls), prepared, response.content),
                  TIMEOUT)


def kept_for_member(request, rows, render):
    """A page made for one member alone, rendered again only when what it shows
    changes: `rows`, the model instances it shows (every field loaded, with the
    related instances loaded with them, is what the render is kept under), and the
    address. `render()` makes the response. Their parts are filled in per request,
    as on every page."""
    shown = repr((request.get_full_path(), [_loaded(row) for row in rows]))
    key = (f"member-page:{request.user.pk}:"
           f"{hashlib.sha256(shown.encode()).hexdigest()[:32]}")
    store = page_store()
    kept = store.get(key)
    if isinstance(kept, Render):
        return HttpResponse(kept.content, content_type=kept.content_type)
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if response.status_code == 200 and not response.cookies:
        store.set(key, Render((), response.content, response["Content-Type"], frozenset()),
                  TIMEOUT)
    return response


def _loaded(instance, depth=3):
    """An instance's loaded field values, with those of the instances loaded with it
    (a mark's prayer, the prayer's post and state)."""
    if not hasattr(instance, "_state"):
        return instance
    values = sorted((name, value) for name, value in vars(instance).items()
                    if name != "_state" and not hasattr(value, "_state"))
    related = sorted((name, _loaded(other, depth - 1))
                     for name, other in instance._state.fields_cache.items()) if depth else []
    return type(instance).__name__, values, related


def _render_shared(view, request, args, kwargs):
    """The view's page as every reader shares it: rendered for no one in particular,
    with markers where each reader's parts go."""
    user = request.user
    request.user = AnonymousUser()
    request.shared_render = True
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    finally:
        request.user = user
        request.shared_render = False
    return response
