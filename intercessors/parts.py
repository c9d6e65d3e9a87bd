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

MARKER = re.compile(r"<!--part:([a-z-]+)((?::[-\w./#]*)*)-->")
SHOWN_TO = re.compile(r"<!--shown-to:([a-z-]+)-->(.*?)<!--/shown-to-->", re.S)
ARGUMENT = re.compile(r"[-\w./#]*")


@dataclass(frozen=True)
class Part:
    render: Callable  # (request, prepared, *args) -> str
    prepare: Callable | None  # (request, [args, ...]) -> prepared, once per page


_parts: dict[str, Part] = {}


def register(name: str, *, prepare: Callable | None = None):
    """Register the renderer of the part `name` (a decorator)."""

    def decorator(render):
        _parts[name] = Part(render, prepare)
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
    if "<!--shown-to:" in html:
        raise ValueError("A shown_to block cannot hold another.")
    # Safe: the audience is one of AUDIENCES; the content was rendered by a template.
    return mark_safe(f"<!--shown-to:{audience}-->{html}<!--/shown-to-->")  # nosec B308 B703


def fill(request, html: str) -> str:
    """`html` with each block kept or dropped and each part rendered for this request."""
    if "<!--shown-to:" in html:
        user = request.user
        html = SHOWN_TO.sub(lambda m: m[2] if AUDIENCES[m[1]](user) else "", html)
    if "<!--part:" not in html:
        return html
    found = defaultdict(list)
    for name, args in MARKER.findall(html):
        found[name].append(tuple(args[1:].split(":")) if args else ())
    prepared = {
        name: _parts[name].prepare(request, calls)
        for name, calls in found.items() if name in _parts and _parts[name].prepare
    }

    def replace(match):
        part = _parts.get(match[1])
        if part is None:
            return ""
        args = match[2][1:].split(":") if match[2] else ()
        return str(part.render(request, prepared.get(match[1]), *args))

    return MARKER.sub(replace, html)


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
            if b"<!--part:" in content or b"<!--shown-to:" in content:
                charset = response.charset
                response.content = fill(request, content.decode(charset)).encode(charset)
        return response


MESSAGES = get_template("includes/_messages.html")


# A form's CSRF token: templates print this part for `{% csrf_token %}` (see
# intercessors.context_processors), so no render kept for everyone holds one, and a
# token is made only for a reader who is shown a form that needs it.
@register("csrf")
def _csrf(request, prepared):
    return get_token(request)


@register("messages")
def _messages(request, prepared):
    return MESSAGES.render({"messages": get_messages(request)})
