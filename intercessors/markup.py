"""The one place user text is cleaned: plain text fields here, Markdown bodies too.

Every app calls these functions on write; pages print what they stored.
"""
import re
import unicodedata

# Control and format characters (NUL, bidi overrides, zero-width joiners…)
# have no place in a name or a one-line field.
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}
_SPACES = re.compile(r"\s+")


def clean_plain_text(value: str) -> str:
    """Normalise one line of user text: NFC, no control characters, single spaces."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in value)
    return _SPACES.sub(" ", value).strip()
