"""The one place user text is cleaned: one-line plain text, and Markdown bodies
rendered to HTML and sanitised with nh3 (ammonia's allowlist), or written out as
plain text for a mail's text part. Every app calls these on write; pages print
what was stored and never sanitise on read.
"""
import re
import unicodedata
from functools import partial
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from django.utils.html import strip_tags
from markdown.treeprocessors import Treeprocessor

# Control and format characters (NUL, bidi overrides, zero-width joiners…)
# have no place in a name or a one-line field.
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}
_SPACES = re.compile(r"\s+")
# Control characters other than tab and newlines (invisible, and not allowed in XML
# feeds), and halves of surrogate pairs, which no text can encode.
CONTROL_CHARACTERS = _CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

LINK_REL = "nofollow ugc noopener"
PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
BASIC_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
# Staff-written article bodies may also use section headings and rules.
RICH_TAGS = BASIC_TAGS | {"h2", "h3", "h4", "hr"}
# The sanitiser sets every link's rel itself; "*" empty: no attribute on every tag.
ATTRIBUTES = {"a": {"href", "title"}, "*": set()}
# Addresses typed as text become links: http(s):// or www. up to the next space,
# or a plain domain name ending in a common top-level domain ("example.org/news"),
# with the "(" before one so that a closing ")" after it can be left out of the link.
# A match starts only where a word or a run of "(" starts, so the search reads
# each run once (free to start anywhere, it reads a run of "(" in quadratic time).
BARE_DOMAINS = "com|org|net|edu|gov|us|info|church|io|co|uk|ca|app|online"
_BARE_URL = re.compile(
    r"(?:(?<![\w/.@:(-])\(+|(?<![\w/.@:-]))"
    r"(?:(?:https?://|www\.)[^\s<>\"'`{}|\\^\x02\x03]+"
    rf"|(?:[a-z0-9-]+\.)+(?:{BARE_DOMAINS})\b(?![.@-]?\w)(?:[/?][^\s<>\"'`{{}}|\\^\x02\x03]*)?)",
    re.IGNORECASE,
)
_HAS_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def clean_plain_text(value: str) -> str:
    """Normalise one line of user text: NFC, no control characters, single spaces."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in value)
    return _SPACES.sub(" ", value).strip()


def clean_plain_lines(value: str) -> str:
    """Normalise plain text of several lines (a letter): each line as
    `clean_plain_text` leaves one, newlines as "\n", at most one empty line in a row."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_plain_text(line) for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render_markdown(text: str, *, rich: bool = False, line_breaks: bool = False,
                    site_url: str = "") -> str:
    """Markdown to safe HTML. Raw HTML typed by the writer shows as text. With
    `line_breaks`, a line break typed inside a paragraph stays one (a letter's
    sign-off on two lines); without, Markdown joins the lines, as comments expect.
    With `site_url`, a link to a page of the site ("/states/texas/") is written in
    full, as it must be in a mail."""
    text = _CONTROL.sub("", _STAND_INS.sub("", unicodedata.normalize("NFC", text or "")))
    # Markdown reads a lone carriage return as a line break: so must tame.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    html = _markdown(line_breaks=line_breaks).convert(tame(text)).translate(_AS_TYPED)
    return nh3.clean(
        html,
        tags=RICH_TAGS if rich else BASIC_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=partial(_plain_link, site_url=site_url) if site_url else _plain_link,
        url_schemes=PROTOCOLS,
        link_rel=LINK_REL,
        strip_comments=True,
    )


# A scheme as a browser reads one: it drops tabs and newlines anywhere in a URL,
# and some readers drop other invisible characters too.
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _plain_link(tag: str, attribute: str, value: str, *, site_url: str = "") -> str | None:
    """A link's address, kept only if it holds no space or invisible character and
    names no scheme but ours ("java\tscript:" is "javascript:" to a browser); with
    `site_url`, a path on the site is written in full."""
    if attribute != "href":
        return value
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return None
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1).lower() not in PROTOCOLS:
        return None
    if site_url and value.startswith("/") and not value.startswith("//"):
        return site_url.rstrip("/") + value
    return value


def _split_address(found: str) -> tuple[str, str, str]:
    """An address as found in text, cut into (before, address, after): the "(" of
    a parenthesis opened before it, and a ")" that closes one, or a comma or full
    stop ending the sentence, are the sentence's, not the link's."""
    before = after = ""
    while found:
        if found.startswith("("):
            before, found = before + "(", found[1:]
            if found.endswith(")"):
                found, after = found[:-1], ")" + after
        elif found.endswith(")") and "(" not in found or found.endswith((",", ".")):
            found, after = found[:-1], found[-1] + after
        else:
            break
    return before, found, after


def _linked(text: str) -> list:
    """`text` as pieces: plain strings, and an <a> element for each address in it."""
    pieces, at = [], 0
    for match in _BARE_URL.finditer(text):
        before, address, after = _split_address(match.group())
        if not address:
            continue
        link = ElementTree.Element("a", href=address if _HAS_SCHEME.match(address)
                                   else "http://" + address)
        link.text = address
        pieces += [text[at:match.start()] + before, link]
        at = match.end() - len(after)
    return [*pieces, text[at:]] if pieces else [text]


class BareAddresses(Treeprocessor):
    """Addresses typed as plain text ("www.example.org", "https://…") become links,
    except in code and in links already made. Runs last, on the finished tree, so
    what it reads is the text a reader sees."""

    SKIP = frozenset({"a", "code", "pre"})

    def run(self, root):
        self._element(root)

    def _element(self, element):
        children = []
        if element.text:
            element.text, *links = _linked(element.text)
            children += self._links(links)
        for child in element:
            if child.tag not in self.SKIP:
                self._element(child)
            children.append(child)
            if child.tail:
                child.tail, *links = _linked(child.tail)
                children += self._links(links)
        if len(children) != len(element):
            element[:] = children

    @staticmethod
    def _links(pieces):
        """Each link with the text after it as its tail."""
        for link, tail in zip(pieces[::2], pieces[1::2], strict=True):
            link.tail = tail
        return pieces[::2]


# Shapes of Markdown that cost more than linear time to render, found by
# `make markdown-fuzz`, which also shows that each budget below is still needed.
# Inline, Markdown scans forward from every "[" and "](" for the bracket that
# closes it, from every run of backticks for the run that ends the code, and from
# "***" for the stars that end it, as far as the end of the paragraph when there is
# none; so a paragraph of such markers costs the square of its length. Every list
# or quote marker opening a line nests the rest of the line a level deeper, one
# recursion each. Every line may open an element, and a long reference is copied
# wherever it is used. `tame` rewrites those shapes in linear time: markers past
# the budget show as the plain characters they are, and lines past the limit join.
# Ordinary writing is far below every bound and is left exactly as it was.
MAX_NESTING = 8  # list and quote markers opening one line
# Lines in all: 200, or one for every 25 characters of a longer text.
MIN_LINES, CHARACTERS_PER_LINE = 200, 25
INLINE_BUDGET = 300_000  # characters the inline searches may read, in all

REFERENCE_BUDGET = 100_000  # characters link references may add to a page

_PARAGRAPHS = re.compile(r"(\n[ \t]*\n)")
_REFERENCE = re.compile(r"^([ ]{0,3})\[(?=[^\[\]\n]*\]:)", re.MULTILINE)
_INLINE_MARKERS = re.compile(r"\\.|\]\(|\[|`+|\*{3,}|_{3,}|[*_]", re.DOTALL)
# Python-Markdown reads a number of any length before "." as a list marker.
_LEADING_MARKER = re.compile(r"[ \t]*(?:>|(?:[*+-]|\d+[.)])(?=[ \t]|$))[ \t]?")


def tame(text: str) -> str:
    """The same text, with the shapes that would make it slow to render made plain.
    Lines end in "\\n" (render_markdown makes them so)."""
    text = _limit_references(_limit_lines(text))
    parts = _PARAGRAPHS.split(text)
    paragraphs = [_tame_nesting(part) for part in parts[::2]]
    _within_budget(paragraphs, _inline_cost, INLINE_BUDGET, _escape_inline_markers)
    parts[::2] = paragraphs
    return "".join(parts)


def _limit_references(text: str) -> str:
    """A link reference ("[a]: https://…") is copied wherever "[a]" is written:
    a long one used on every line multiplies the page. Past the budget, the
    references are shown as typed and the links that use them stay text."""
    starts = [m.start() for m in _REFERENCE.finditer(text)]
    if not starts:
        return text
    # A reference with its title may take three lines; count each that long.
    longest = max(len("\n".join(text[start:].split("\n", 3)[:3])) for start in starts)
    if text.count("[") * longest <= REFERENCE_BUDGET:
        return text
    return _REFERENCE.sub(lambda m: m.group(1) + "\\[", text)


def _limit_lines(text: str) -> str:
    """Every line may open a paragraph or a list item, and each costs Markdown and
    the sanitiser the same again: lines past the limit join the last one."""
    limit = max(MIN_LINES, len(text) // CHARACTERS_PER_LINE)
    if text.count("\n") < limit:
        return text
    lines = text.split("\n")
    return "\n".join([*lines[: limit - 1], " ".join(line.strip() for line in lines[limit - 1 :])])


def _within_budget(paragraphs, cost, budget, make_plain) -> None:
    """Make the costliest paragraphs plain until the whole text is within budget."""
    costs = [cost(p) for p in paragraphs]
    total = sum(costs)
    for n in sorted(range(len(costs)), key=costs.__getitem__, reverse=True):
        if total <= budget:
            return
        paragraphs[n] = make_plain(paragraphs[n])
        total -= costs[n]


# Where a search from a marker surely stops: its closer, close by, with nothing
# between that could hide the closer (code, an escape) or open another level.
_CLOSERS = {"[": ("]", re.compile(r"[\[`\\]")), "](": (")", re.compile(r"[(`\\\"']"))}
NEAR = 500


def _inline_cost(paragraph: str) -> int:
    """The most the inline searches could read. From "[" and "](": as far as a
    plain closer close by, else to the paragraph's end, once for each kind of
    link tried ("[text](url)", "[text][ref]", "[ref]"); from a run of backticks,
    to the end; from "***", to the next "**" for each star between, else to the
    end for each star after it."""
    end, cost = len(paragraph), 0
    after = {"*": paragraph.count("*"), "_": paragraph.count("_")}
    for marker in _INLINE_MARKERS.finditer(paragraph):
        token, start, rest = marker.group(), marker.start(), end - marker.start()
        after["*"] -= token.count("*")
        after["_"] -= token.count("_")
        if token in _CLOSERS:
            closer, hiding = _CLOSERS[token]
            stop = paragraph.find(closer, marker.end(), marker.end() + NEAR)
            plain = stop >= 0 and not hiding.search(paragraph, marker.end(), stop)
            cost += 3 * (stop - start if plain else rest)
        elif token[0] == "`":
            cost += rest
        elif len(token) >= 3:
            stop = paragraph.find(token[0] * 2, marker.end(), marker.end() + NEAR)
            between = paragraph.count(token[0], marker.end(), stop) if stop >= 0 else 0
            cost += (stop - start) * between if stop >= 0 else rest * after[token[0]]
    return cost


# A marker made plain is written as a stand-in that means nothing to Markdown, one
# of the code points Unicode sets aside for a program's own use, and turned back
# into the character after rendering. A backslash before each would be an inline
# match of its own, and Markdown copies the rest of a paragraph at every match: a
# paragraph of thousands of escapes costs the square of its length.
PLAIN = {marker: chr(0xFDD0 + n) for n, marker in enumerate("*_`[")}
_AS_TYPED = str.maketrans({stand_in: marker for marker, stand_in in PLAIN.items()})
_STAND_INS = re.compile("[\ufdd0-\ufdef]")  # none of them is text: gone from what is typed


def _escape_inline_markers(paragraph: str) -> str:
    def escape(marker):
        token = marker.group()
        if token[0] == "\\" or token == "](":
            return token
        return "".join(PLAIN[char] for char in token)

    return _INLINE_MARKERS.sub(escape, paragraph)


def _tame_nesting(paragraph: str) -> str:
    lines = paragraph.split("\n")
    for n, line in enumerate(lines):
        pos = 0
        for _ in range(MAX_NESTING):
            marker = _LEADING_MARKER.match(line, pos)
            if not marker or marker.end() == pos:
                break
            pos = marker.end()
        else:
            if marker := _LEADING_MARKER.match(line, pos):
                # One marker too deep: escaping it makes the rest of the line plain text.
                # A marker's last character is one Markdown lets a backslash escape.
                mark = marker.group().rstrip(" \t")
                lines[n] = f"{line[:pos]}{mark[:-1]}\\{line[pos + len(mark) - 1:]}"
    return "\n".join(lines)


def _markdown(*, line_breaks: bool = False):
    # With its raw-HTML handlers removed, Markdown escapes any tag the writer
    # typed, so every tag in its output is one it made; nh3 then keeps only the
    # allowed ones.
    md = markdown.Markdown(extensions=["sane_lists", *(["nl2br"] if line_breaks else [])])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(BareAddresses(md), "bare_addresses", -10)
    return md


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut between words, with "…" when cut: never in
    the middle of a word, nor after a space or a comma."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit].rsplit(" ", 1)[0] if " " in text[: limit] else text[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


# US phone numbers as people write them: (555) 010-2030, 555-010-2030, +1 555-010-2030.
# Numbers only spaced ("123 456 7890") are left alone: meeting ids look like that.
_PHONE = re.compile(
    r"(?<![\w/.-])(?:\+1[ .-]?)?(?:\((\d{3})\) ?|(\d{3})[-.])(\d{3})[-.](\d{4})(?![\w/-])"
)


def phone_links(text: str) -> str:
    """Markdown with each phone number in `text` made a tap-to-call link."""
    def link(match):
        area = match.group(1) or match.group(2)
        return f"[{match.group(0)}](tel:+1{area}{match.group(3)}{match.group(4)})"

    return _PHONE.sub(link, text)


def markdown_to_text(text: str, *, rich: bool = False, line_breaks: bool = False,
                     site_url: str = "") -> str:
    """Markdown as plain text, for a mail's text part: what `render_markdown` makes
    of it (so nothing the sanitiser removed comes back), without markup. Paragraphs
    are parted by a blank line, list items keep a "- " or "1. ", quotes a "> ",
    and each link is written out after its words: "the Ohio page (https://…)"."""
    writer = _PlainText()
    writer.feed(render_markdown(text, rich=rich, line_breaks=line_breaks, site_url=site_url))
    writer.close()
    return writer.text()


class _PlainText(HTMLParser):
    """Sanitised HTML (only the tags `render_markdown` keeps) written as plain text.
    Line breaks are owed, not written, until the next words come, so blocks that
    open and close together leave one blank line and the text ends with none."""

    PARAGRAPHS = frozenset({"p", "blockquote", "pre", "h2", "h3", "h4", "hr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self.owed = 0  # line breaks owed: 1 ends the line, 2 leaves a blank one
        self.quotes = 0
        self.lists = []  # for each open list: [tag, items so far]
        self.bullet = ""  # the marker the next line starts with, in a list item
        self.pre = 0
        self.links = []  # for each open link: [address, its words so far]
        self.empty = True  # nothing written yet

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).strip("\n")

    def _owe(self, breaks: int) -> None:
        self.owed = max(self.owed, breaks)

    def _paragraph(self) -> None:
        # Inside a list item, a paragraph starts a line; elsewhere it leaves a blank one.
        self._owe(1 if self.lists else 2)

    def _prefix(self) -> str:
        indent = "  " * max(0, len(self.lists) - 1)
        bullet, self.bullet = self.bullet, ""
        return "> " * self.quotes + indent + (bullet or ("  " if self.lists else ""))

    def _write(self, words: str) -> None:
        if self.owed and not self.empty:
            if self.owed > 1:
                self.lines.append(("> " * self.quotes).rstrip())
            self.lines.append("")
        if self.owed or self.empty:
            self.lines[-1] = self._prefix()
        self.owed, self.empty = 0, False
        self.lines[-1] += words
        if self.links:
            self.links[-1][1] += words

    def handle_data(self, data):
        if self.pre:
            for n, line in enumerate(data.split("\n")):
                if n:
                    self.owed = 1
                if line:
                    self._write(line)
            return
        words = _SPACES.sub(" ", data)
        if self.owed or self.empty:
            words = words.lstrip()  # as a browser shows it: no space opens a line
        if words:
            self._write(words)

    def handle_starttag(self, tag, attrs):
        if tag in self.PARAGRAPHS:
            self._paragraph()
        if tag == "blockquote":
            self.quotes += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "hr":
            self._write("---")
            self._paragraph()
        elif tag == "br":
            self.owed = min(self.owed + 1, 2)
        elif tag in ("ul", "ol"):
            self._paragraph()
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            self._owe(1)
            self.bullet = "- " if kind[0] == "ul" else f"{kind[1]}. "
        elif tag == "a":
            self.links.append([dict(attrs).get("href") or "", ""])

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.quotes = max(0, self.quotes - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.links:
            address, words = self.links.pop()
            if address and _without_scheme(address) != _without_scheme(words.strip()):
                self.handle_data(f" ({address})")
        if tag in self.PARAGRAPHS or tag in ("ul", "ol"):
            self._paragraph()
        elif tag == "li":
            self._owe(1)


def _without_scheme(address: str) -> str:
    """An address as a reader would compare it: "https://x.org" is "x.org"."""
    return re.sub(r"^(?:https?://|mailto:|tel:)", "", address, flags=re.IGNORECASE)


def html_to_text(html: str) -> str:
    return _SPACES.sub(" ", unescape(strip_tags(html))).strip()


def count_links(html: str) -> int:
    return html.count("<a ")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.addresses.append(dict(attrs).get("href") or "")


def link_addresses(html: str) -> list[str]:
    """Where each link in sanitised HTML leads, in order, as typed."""
    links = _Links()
    links.feed(html)
    links.close()
    return links.addresses


def outside_links(html: str, *, site_url: str) -> list[str]:
    """The links in `html` that lead off the site at `site_url`. A path on the site
    ("/states/texas/") is inside; "//x.org" and "/\\x.org" are not (a browser
    reads a backslash as a slash), nor is a look-alike host ("site.org.x.org")."""
    ours = urlsplit(site_url)
    outside = []
    for address in link_addresses(html):
        parts = urlsplit(address.replace("\\", "/"))
        inside = (not parts.scheme and not parts.netloc) or (
            parts.scheme.lower() in ("http", "https")
            and parts.netloc.lower() == ours.netloc.lower()
        )
        if not inside:
            outside.append(address)
    return outside


def reading_minutes(html: str, words_per_minute: int = 250) -> int:
    """Words / 250, rounded to the nearest minute (halves up), at least 1."""
    words = len(html_to_text(html).split())
    return max(1, int(words / words_per_minute + 0.5))
