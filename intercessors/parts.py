"""Each reader's own parts of a page, filled into HTML that every reader shares.

A page many readers see alike (a post, a list, a state page) is rendered once and
kept (`intercessors.pagecache`). What differs between readers is written in it as
a marker, `<!--part:name:arg:arg-->`, by the `{% part %}` tag: the header's account
links, "I Prayed" or "You prayed" with the live count, a form's CSRF token, a
comment's actions, the messages. `fill` replaces every marker of a response for
the request it answers, as the last step of every HTML response (PartsMiddleware),
so a page made from the shared render and a page rendered afresh for the same
reader are the same bytes.

Each part is registered by the app it belongs to (in its AppConfig.ready): a
function rendering one marker for one request, and optionally one that prepares
what all of a page's markers of that name need, in one query for the page.

Nothing a member writes can hold a marker: Markdown escapes "<", the sanitiser
strips comments, and templates escape every value they print.
"""
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import mark_safe

ARGUMENT = re.compile(r"[-\w./#]*")


@dataclass(frozen=True)
class Part:
    render: Callable  # (request, prepared, *args) -> str; a rewrite: (request, html, *args)
    prepare: Callable | None  # (request, [args, ...]) -> prepared, once per page
    rewrite: bool = False


_parts: dict[str, Part] = {}


def register(name: str, *, prepare: Callable | None = None, rewrite: bool = False):
    """Register the renderer of the part `name` (a decorator). A `rewrite` part is
    given the whole page, without its marker, and returns it changed."""

    def decorator(render):
        _parts[name] = Part(render, prepare, rewrite)
        return render

    return decorator


def marker(name: str, *args) -> str:
    """The marker of a part, for the template tag and for code writing HTML."""
    if name not in _parts:
        raise ValueError(f"No part is called {name!r}.")
    values = ["" if a is None else str(a) for a in args]
    for value in values:
        if not ARGUMENT.fullmatch(value):
            raise ValueError(f"A part's arguments are ids and paths, not {value!r}.")
    # Safe: the name is registered and each argument matches ARGUMENT.
    return mark_safe("".join(["<!--part:", name, *(":" + v for v in values), "-->"]))  # nosec B308 B703


# Who sees a `{% shown_to %}` block: each a function of the request's user.
AUDIENCES = {
    "member": lambda user: user.is_authenticated,
    "guest": lambda user: not user.is_authenticated,
    "member-with-state": lambda user: user.is_authenticated and bool(user.home_state_id),
    "member-without-state": lambda user: user.is_authenticated and not user.home_state_id,
}


def shown_to(audience: str, html: str) -> str:
    """`html` between markers, kept for readers of `audience` only. Blocks do not nest."""
    if BLOCK_OPEN in html:
        raise ValueError("A shown_to block cannot hold another.")
    start, end = _block(audience)
    # Safe: the audience is one of AUDIENCES; the content was rendered by a template.
    return mark_safe(start + html + end)  # nosec B308 B703


OPEN, CLOSE = "<!--part:", "-->"
BLOCK_OPEN = "<!--shown-to:"


def _block(audience: str) -> tuple[str, str]:
    return f"{BLOCK_OPEN}{audience}-->", f"<!--/shown-to:{audience}-->"


_DROP = {
    audience: re.compile(re.escape(_block(audience)[0]) + ".*?" + re.escape(_block(audience)[1]),
                         re.S)
    for audience in AUDIENCES
}


def kept_for(request, html: str) -> str:
    """`html` with each `{% shown_to %}` block kept or dropped for this reader. Each
    audience costs two replacements or one pass of a regular expression, however
    many blocks a page has (a thread has one a comment)."""
    if BLOCK_OPEN not in html:
        return html
    user = request.user
    for audience, shown in AUDIENCES.items():
        start, end = _block(audience)
        if start not in html:
            continue
        if shown(user):
            html = html.replace(start, "").replace(end, "")
        elif html.count(start) > 20:
            html = _DROP[audience].sub("", html)
        else:  # a few blocks (the header's, the reply form's): cut them out directly
            out, at = [], 0
            while (found := html.find(start, at)) != -1:
                out.append(html[at:found])
                at = html.index(end, found) + len(end)
            out.append(html[at:])
            html = "".join(out)
    return html


def rewrite(request, html: str) -> str:
    """Apply the page's rewriting parts: each changes the page around it (a
    member's own comments get their own actions) rather than filling one spot."""
    for name, part in _parts.items():
        if not part.rewrite:
            continue
        token = f"{OPEN}{name}:"
        while (start := html.find(token)) != -1:
            end = html.index(CLOSE, start)
            args = html[start + len(token):end].split(":")
            html = part.render(request, html[:start] + html[end + len(CLOSE):], *args)
    return html


@dataclass
class Parsed:
    """A page cut at its markers: texts[0], marker 0, texts[1], marker 1, …"""
    texts: list
    markers: list  # (name, args)

    def calls(self) -> dict:
        found = defaultdict(list)
        for name, args in self.markers:
            found[name].append(args)
        return found


def parse(html: str) -> Parsed:
    """Found by plain string search, not a regular expression: a thread of a
    thousand comments is cut in a millisecond."""
    pieces = html.split(OPEN)
    texts, markers = [pieces[0]], []
    for piece in pieces[1:]:
        end = piece.find(CLOSE)
        name, *args = piece[:end].split(":")
        if end == -1 or name not in _parts or _parts[name].rewrite:
            texts[-1] += OPEN + piece  # not one of ours: left as it was
            continue
        markers.append((name, tuple(args)))
        texts.append(piece[end + len(CLOSE):])
    return Parsed(texts, markers)


def prepare(request, calls: dict) -> dict:
    """What each kind of part on the page needs (`Parsed.calls`), read once for the
    whole page."""
    return {
        name: _parts[name].prepare(request, args)
        for name, args in calls.items() if _parts[name].prepare
    }


def render(request, parsed: Parsed, prepared: dict) -> str:
    out = [parsed.texts[0]]
    for (name, args), text in zip(parsed.markers, parsed.texts[1:], strict=True):
        out.append(str(_parts[name].render(request, prepared.get(name), *args)))
        out.append(text)
    return "".join(out)


def cut(request, html: str) -> Parsed:
    """`html` for this request, blocks kept or dropped and rewrites made, cut at
    the markers still to fill."""
    return parse(rewrite(request, kept_for(request, html)))


def fill(request, html: str) -> str:
    """`html` with each block kept or dropped and each part rendered for this request."""
    parsed = cut(request, html)
    return render(request, parsed, prepare(request, parsed.calls()))


def per_reader(parsed: Parsed) -> bool:
    """Whether the page holds a part that differs between readers of one kind
    (a form's token), so that a filled page cannot serve two guests."""
    return any(name in PER_READER for name, _ in parsed.markers)


class PartsMiddleware:
    """Fill the parts of every HTML response. Listed last, so that the messages
    it shows are marked as read and the CSRF cookie it may need is set by the
    middleware above it, as for a page rendered in one go."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            content = response.content
            if not getattr(response, "parts_filled", False) and (
                    b"<!--part:" in content or b"<!--shown-to:" in content):
                charset = response.charset
                response.content = fill(request, content.decode(charset)).encode(charset)
        return response


# A form's CSRF token: templates print this part for `{% csrf_token %}` (see
# intercessors.context_processors), so no render kept for everyone holds one, and a
# token is made only for a reader who is shown a form that needs it.
def csrf_token(request) -> str:
    """The CSRF token of this request's page: made once, the same in all its forms."""
    if not hasattr(request, "_page_csrf_token"):
        request._page_csrf_token = get_token(request)
    return request._page_csrf_token


@register("csrf")
def _csrf(request, prepared):
    return csrf_token(request)


# Parts that differ between two readers who are not logged in and have no
# messages waiting.
PER_READER = {"csrf"}


@register("messages")
def _messages(request, prepared):
    return get_template("includes/_messages.html").render({"messages": get_messages(request)})
