"""Each reader's own parts of a page that every reader shares: markers in the kept
render, filled in per request by `PartsMiddleware` from data, never by searching
the page for what it shows (the rules: docs/architecture.md, "Shared pages").
Nothing a member writes can hold a marker: Markdown escapes "<", the sanitiser
strips comments, and templates escape every value they print."""
import re
from collections import defaultdict, namedtuple
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import mark_safe

ARGUMENT = re.compile(r"[-\w./#]*")
OPEN, CLOSE, BLOCK_OPEN = "<!--part:", "-->", "<!--shown-to:"


# A part's renderer (request, prepared, *args; a wrapping part's shared HTML comes
# last), what reads once what all of a page's markers need (request, [args, …]),
# and whether it wraps what everyone shares.
Part = namedtuple("Part", "render prepare wraps")

_parts: dict[str, Part] = {}


def register(name: str, *, prepare: Callable | None = None, wraps: bool = False):
    """Register the renderer of the part `name` (a decorator)."""
    def decorator(render):
        _parts[name] = Part(render, prepare, wraps)
        return render
    return decorator


def marker(name: str, *args) -> str:
    """The marker of a part, for the template tag and for code writing HTML."""
    values = ["" if a is None else str(a) for a in args]
    if name not in _parts or not all(ARGUMENT.fullmatch(value) for value in values):
        raise ValueError(f"No part {name!r} takes {values!r}: arguments are ids and slugs.")
    # Safe: the name is registered and each argument matches ARGUMENT.
    return mark_safe("".join([OPEN, name, *(":" + v for v in values), CLOSE]))  # nosec B308 B703


def wrap(name: str, shared: str, *args) -> str:
    """What everyone shares, as the wrapping part `name`, which may give a reader theirs."""
    # Safe: the marker is ours; `shared` was rendered by a template.
    return mark_safe(f"{marker(name, *args)}{shared}<!--/part:{name}-->")  # nosec B308 B703


# Who sees a `{% shown_to %}` block: a test of the request's user each; apps add theirs.
AUDIENCES = {"member": lambda user: user.is_authenticated,
             "guest": lambda user: not user.is_authenticated}


def audience(name: str, test: Callable) -> None:
    """Register who sees `{% shown_to name %}` blocks: a test of the request's user."""
    AUDIENCES[name] = test


def _block(audience: str) -> tuple[str, str]:
    return f"{BLOCK_OPEN}{audience}-->", f"<!--/shown-to:{audience}-->"


def shown_to(audience: str, html: str) -> str:
    """`html` between markers, kept for readers of `audience` only. Blocks do not nest."""
    if BLOCK_OPEN in html:
        raise ValueError("A shown_to block cannot hold another.")
    start, end = _block(audience)
    return mark_safe(start + html + end)  # nosec B308 B703 - the content came from a template


def kept_for(request, html: str) -> str:
    """`html` with each block kept or dropped for this reader: two replacements or one
    pass of a regular expression per audience, however many blocks a page has."""
    if BLOCK_OPEN not in html:
        return html
    for audience, shown in AUDIENCES.items():
        start, end = _block(audience)
        if start in html:
            html = (html.replace(start, "").replace(end, "") if shown(request.user) else
                    re.sub(f"{re.escape(start)}.*?{re.escape(end)}", "", html, flags=re.S))
    return html


def parse(html: str) -> tuple[list, list]:
    """The page cut at its markers, by plain string search (a thread of a thousand
    comments in a millisecond): texts[0], marker 0, texts[1], …, each marker a
    (name, args) pair."""
    pieces = html.split(OPEN)
    texts, markers = [pieces[0]], []
    for piece in pieces[1:]:
        end = piece.find(CLOSE)
        name, *args = piece[:end].split(":")
        if end == -1 or name not in _parts:
            texts[-1] += OPEN + piece  # not one of ours: left as it was
            continue
        rest = piece[end + len(CLOSE):]
        if _parts[name].wraps:  # what it wraps holds no part: up to its own end marker
            shared, _, rest = rest.partition(f"<!--/part:{name}-->")
            args.append(shared)
        markers.append((name, tuple(args)))
        texts.append(rest)
    return texts, markers


def prepare(request, calls: dict) -> dict:
    """What each kind of part on the page needs, read once: `calls` holds the ids of
    each kind's markers."""
    return {name: _parts[name].prepare(request, args)
            for name, args in calls.items() if _parts[name].prepare}


def fill(request, html: str) -> tuple[str, dict, dict]:
    """`html` with each block kept or dropped and each part rendered for this request;
    with the markers' calls, and what was prepared for them."""
    texts, markers = parse(kept_for(request, html))
    calls = defaultdict(list)
    for name, args in markers:  # ids only, without what a wrapping part wraps
        calls[name].append(args[:-1] if _parts[name].wraps else args)
    prepared = prepare(request, calls)
    out = [texts[0]]
    for (name, args), text in zip(markers, texts[1:], strict=True):
        out += [str(_parts[name].render(request, prepared.get(name), *args)), text]
    return "".join(out), dict(calls), prepared


class PartsMiddleware:
    """Fill the parts of every HTML response: listed last, so that messages are marked
    read and the CSRF cookie set by the middleware above, as for a page made in one go."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (not getattr(response, "streaming", False)
                and response.get("Content-Type", "").startswith("text/html")):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if not getattr(response, "parts_filled", False) and (
                    b"<!--part:" in response.content or b"<!--shown-to:" in response.content):
                html, *_ = fill(request, response.content.decode(response.charset))
                response.content = html.encode(response.charset)
        return response


# Parts that differ between two guests with no message waiting: no page filled for all.
PER_READER = {"csrf"}


def csrf_context(request) -> dict:
    """`{% csrf_token %}` prints the part "csrf": no render kept for all holds a token."""
    return {"csrf_token": marker("csrf")}


def csrf_token(request) -> str:
    """The CSRF token of this request's page: made once, the same in all its forms."""
    if not hasattr(request, "_page_csrf_token"):
        request._page_csrf_token = get_token(request)
    return request._page_csrf_token


register("csrf")(lambda request, prepared: csrf_token(request))
register("messages")(lambda request, prepared: get_template("includes/_messages.html").render(
    {"messages": get_messages(request)}))
