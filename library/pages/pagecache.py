"""Pages rendered once and shared by every reader, member or not, until something
they show changes (the rules: docs/architecture.md, "Shared pages"). A render is
kept under versions, new random tokens in the default cache (a table nothing evicts
from): the whole site's (`SITE`) and those of the scopes its view depends on
(`LISTS`, "article:<slug>", …), which a write retires (`retire`)."""
import hashlib
import secrets
import time
from collections import namedtuple
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_vary_headers

from library.caches import page_store
from library.pages import parts

SITE = "site"
LISTS = "lists"
TIMEOUT = 300  # seconds; a backstop, since writes retire what they change
# Part of every kept render's key: raised when what is kept changes shape, so a new
# release never reads what an older one kept (a shared Redis outlives a deploy).
SHAPE = 2


def _key(scope: str) -> str:
    return f"pagecache:version:{scope}"


def retire(*scopes: str) -> None:
    """A write changed what pages show: retire the renders of these scopes, or of
    the whole site when none is named. Call it in the write's own transaction, so
    new versions commit with the new data."""
    cache.set_many({_key(scope): secrets.token_hex(8) for scope in scopes or (SITE,)},
                   timeout=None)


def versions(scopes, request=None) -> tuple:
    """The current versions of these scopes, read in one round trip and kept for the
    rest of the request: a page and its thread are of the same versions."""
    known = request.__dict__.setdefault("_page_versions", {}) if request is not None else {}
    if missing := [scope for scope in scopes if scope not in known]:
        found = cache.get_many([_key(scope) for scope in missing])
        for scope in missing:
            value = found.get(_key(scope))
            if value is None and scope == SITE:
                cache.add(_key(scope), secrets.token_hex(8), timeout=None)
                value = cache.get(_key(scope))
            # A scope never retired has no version of its own yet: the site's token,
            # new whenever the table loses it, still sets its renders apart.
            known[scope] = value or ""
    return tuple(known[scope] for scope in scopes)


# A page as every reader shares it, and the versions it was made at.
Render = namedtuple("Render", "versions content content_type")


def shared_page(*, query=(), depends_on=None, lifetime=None, private_when=None):
    """Render the view's pages once for every reader, and fill in each one's parts.

    `query`: the parameters the page reads; an address with any other is sent to
    the address without them. `depends_on(request, *args, **kwargs)`: the scopes it
    shows besides the site. `lifetime`, or a function of the request: seconds after
    which it is made again whatever changed. `private_when(request, *args, **kwargs)`:
    readers who get a render of their own, as staff do."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in ("GET", "HEAD") and (
                    plain := _plain_query(request, query)) is not None:
                return HttpResponseRedirect(request.path + plain)
            if not _shareable(request) or (private_when
                                           and private_when(request, *args, **kwargs)):
                return view(request, *args, **kwargs)
            current = versions(
                (SITE, *(depends_on(request, *args, **kwargs) if depends_on else ())), request)
            if ttl := lifetime(request) if callable(lifetime) else lifetime:
                current += (int(time.time() // ttl),)
            address = f"{request.path}?{urlencode(sorted(request.GET.lists()), True)}"
            key = f"page{SHAPE}:" + hashlib.sha256(address.encode()).hexdigest()[:32]
            made, how = _kept_or_rendered(
                request, key, current, lambda: _render_shared(view, request, args, kwargs))
            if not isinstance(made, Render):  # the view's own answer, not to be shared
                patch_vary_headers(made, ("Cookie",))
                return made
            response = HttpResponse(made.content, content_type=made.content_type)
            response["X-Page-Cache"] = how
            if _for_guests(request):
                _fill_for_guests(request, key, made, response)
            patch_vary_headers(response, ("Cookie",))  # pages differ once parts are filled
            return response

        return wrapper

    return decorator


def _plain_query(request, query) -> str | None:
    """Where to send a request whose address holds parameters the page does not read,
    or a page number written otherwise than plainly ("01", "+1", " 1"): the same page
    at one address, so that each page is one render. None when the address is plain."""
    asked = [(k, v) for k, values in request.GET.lists() for v in values]
    kept = [(k, _plain_number(v) if k == "page" else v) for k, v in asked if k in query]
    if kept == asked:
        return None
    return "?" + urlencode(kept) if kept else ""


def _plain_number(value: str) -> str:
    """ "007" as "7"; anything not a whole number as it was, for the view to refuse."""
    try:
        number = int(value)
    except ValueError:
        return value
    return str(number) if number >= 0 else value


# Seconds one process may spend making a page while the others serve the render it
# replaces (or wait for it, when they have none): past this another may start.
RENDERING = 2.0
WAIT_STEP = 0.01


def _kept_or_rendered(request, key, current, render):
    """The page kept under `key` at the `current` versions, and how it was found:
    "hit"; "miss" when this request made it; "stale" when another is making it and
    this reader is served the render it replaces; "waited" when this reader waited for
    it. Or, when the view's answer is not one to share (a redirect, an error, a
    cookie), that response itself.

    One request per server (or per Redis) renders a retired page at a time: a hot
    post that takes a comment every second is rendered once a second, not by every
    thread that misses at once. A reader with a message waiting (who has just
    written: every write a member makes says so) is never given the replaced page,
    but waits for the new one. An answer not to share (the post taken down) drops
    the kept page, so that no one is given it again."""
    store = page_store()
    made = store.get(key)
    if isinstance(made, Render) and made.versions == current:
        return made, "hit"
    lock, token = key + ":rendering", secrets.token_hex(8)
    stale = isinstance(made, Render) and not _has_message(request)
    # Another is making it: a read says so, so the readers who come while it renders
    # never queue for the store's write lock (the server's store has one writer at a
    # time) only to be told what a read tells them.
    if stale and store.has_key(lock):
        return made, "stale"
    owner = store.add(lock, token, RENDERING)
    if not owner and store.has_key(lock):
        if stale:
            return made, "stale"
        deadline = time.monotonic() + RENDERING
        while time.monotonic() < deadline and store.has_key(lock):
            time.sleep(WAIT_STEP)
        made = store.get(key)
        if isinstance(made, Render) and made.versions == current:
            return made, "waited"
    try:
        try:
            response = render()
        except Exception:  # Http404 for a post taken down, among others
            store.delete(key)
            raise
        if response.status_code != 200 or response.cookies or getattr(
                response, "streaming", False):
            store.delete(key)
            return response, "miss"
        made = Render(current, response.content, response["Content-Type"])
        store.set(key, made, TIMEOUT)
        return made, "miss"
    finally:
        # A render that outlived its lock leaves the next holder's alone.
        if owner and store.get(lock) == token:
            store.delete(lock)


def _has_message(request) -> bool:
    return CookieStorage.cookie_name in request.COOKIES


def _shareable(request) -> bool:
    """Staff see drafts and previews no one else may: their pages are their own."""
    user = getattr(request, "user", None)
    return (settings.PAGE_CACHE and request.method in ("GET", "HEAD")
            and not (user is not None and user.is_authenticated and user.is_staff))


def _render_shared(view, request, args, kwargs):
    """The view's page as every reader shares it: rendered for no one in particular."""
    user, request.user = request.user, AnonymousUser()
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    finally:
        request.user = user
    return response


def kept_for_member(request, rows, render):
    """A page of one member's own (My prayers), rendered again only when what it shows
    changes: kept under its address and every loaded value of `rows` and of what was
    loaded with them. `render()` makes it; its parts are filled per request."""
    shown = repr((request.get_full_path(), [_loaded(row) for row in rows]))
    key = f"member-page{SHAPE}:{request.user.pk}:{hashlib.sha256(shown.encode()).hexdigest()}"
    if isinstance(made := page_store().get(key), Render):
        return HttpResponse(made.content, content_type=made.content_type)
    response = render()
    if response.status_code == 200 and not response.cookies:
        page_store().set(key, Render((), response.content, response["Content-Type"]), TIMEOUT)
    return response


def _loaded(instance, depth=3):
    if not hasattr(instance, "_state"):
        return instance
    related = instance._state.fields_cache.items() if depth else ()
    return (type(instance).__name__,
            sorted((k, v) for k, v in vars(instance).items()
                   if k != "_state" and not hasattr(v, "_state")),
            sorted((name, _loaded(other, depth - 1)) for name, other in related))


# A page filled in for guests, with what its parts were filled from.
Filled = namedtuple("Filled", "versions calls prepared content")


def _for_guests(request) -> bool:
    """Guests with no message waiting share a filled page while its live counts hold."""
    return not request.user.is_authenticated and not _has_message(request)


def _fill_for_guests(request, key, made: Render, response) -> None:
    kept = page_store().get(key + ":guests")
    if isinstance(kept, Filled) and kept.versions == made.versions and (
            parts.prepare(request, kept.calls) == kept.prepared):
        response.content = kept.content
    else:
        response.content, calls, prepared = parts.fill(request, made.content.decode())
        if not parts.PER_READER & set(calls):
            page_store().set(key + ":guests",
                             Filled(made.versions, calls, prepared, response.content), TIMEOUT)
    response.parts_filled = True
