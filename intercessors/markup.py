"""The one place user text is cleaned: one-line plain text, and Markdown bodies
rendered to HTML and sanitised with bleach. Every app calls these on write;
pages print what was stored and never sanitise on read.
"""
import re
import unicodedata
from functools import partial
from html import unescape

import bleach
import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from django.utils.html import strip_tags

# Control and format characters (NUL, bidi overrides, zero-width joiners…)
# have no place in a name or a one-line field.
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}
_SPACES = re.compile(r"\s+")
# Control characters other than tab and newlines: invisible, and not allowed in XML feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LINK_REL = "nofollow ugc noopener"
PROTOCOLS = frozenset({"http", "https", "mailto"})
BASIC_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
# Staff-written article bodies may also use section headings and rules.
RICH_TAGS = BASIC_TAGS | {"h2", "h3", "h4", "hr"}
ATTRIBUTES = {"a": ["href", "rel", "title"]}


def clean_plain_text(value: str) -> str:
    """Normalise one line of user text: NFC, no control characters, single spaces."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in value)
    return _SPACES.sub(" ", value).strip()


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


def _cleaner(tags):
    return bleach.Cleaner(
        tags=tags,
        attributes=ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_set_rel],
                skip_tags={"pre", "code"},
                url_re=build_url_re(protocols=["http", "https"]),
                parse_email=False,
            )
        ],
    )


_CLEANERS = {False: _cleaner(BASIC_TAGS), True: _cleaner(RICH_TAGS)}


def render_markdown(text: str, *, rich: bool = False) -> str:
    """Markdown to safe HTML. Raw HTML typed by the writer shows as text."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text or ""))
    return _CLEANERS[rich].clean(_markdown().convert(text))


def _markdown():
    # With its raw-HTML handlers removed, Markdown escapes any tag the writer
    # typed, so every tag in its output is one it made; bleach then keeps
    # only the allowed ones.
    md = markdown.Markdown(extensions=["sane_lists"])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def html_to_text(html: str) -> str:
    return _SPACES.sub(" ", unescape(strip_tags(html))).strip()


def count_links(html: str) -> int:
    return html.count("<a ")


def reading_minutes(html: str, words_per_minute: int = 250) -> int:
    """Words / 250, rounded to the nearest minute (halves up), at least 1."""
    words = len(html_to_text(html).split())
    return max(1, int(words / words_per_minute + 0.5))
