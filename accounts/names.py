"""Display names that cannot pass for someone else.

Every new or changed name must be free among members once compared as a reader
sees it (`name_key`), keep each word in one alphabet, show at least two letters
or digits, and, unless the member is staff, leave the team's words alone.
Names chosen before these rules are kept as they are.
"""
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

from library.rules import DELETED_MEMBER_NAME

# Letters that render as nothing at all, though Unicode calls them letters or symbols.
BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")
_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Cn"}
# Cyrillic and Greek letters drawn like Latin ones: compared as the Latin letter.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅαορνυικΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhlABEKMHOPCTXIJSaopvuikABEZHIKMNOPTYX",
)
_SCRIPTS_THAT_LOOK_ALIKE = {"LATIN", "CYRILLIC", "GREEK"}
RESERVED_WORDS = {"staff", "editor", "editors", "admin", "administrator", "moderator",
                  "moderators", "official"}


def name_key(name: str) -> str:
    """The name as a reader tells names apart: same letters, whatever their case,
    width, alphabet of look-alikes, or invisible characters between them."""
    name = unicodedata.normalize("NFKC", name or "")
    name = "".join(c for c in name if c not in BLANKS and unicodedata.category(c) not in _HIDDEN)
    name = unicodedata.normalize("NFKC", name.translate(_LOOK_ALIKES)).casefold()
    return " ".join(name.split())


def _script(char: str) -> str:
    try:
        return unicodedata.name(char).split()[0]
    except ValueError:
        return ""


def _reserved_phrases() -> list[str]:
    phrases = (DELETED_MEMBER_NAME, settings.SITE_NAME, settings.MINISTRY_NAME)
    return [name_key(p) for p in phrases]


def check_display_name(name: str, *, user=None) -> None:
    """Raise ValidationError if `name` could pass for another member or for staff."""
    from .models import User

    visible = [c for c in name if c not in BLANKS and unicodedata.category(c)[0] in "LN"]
    if len(visible) < 2:
        raise ValidationError("Please use at least two letters or digits in your display name.")
    for word in name.split():
        scripts = {_script(c) for c in word if c.isalpha()} & _SCRIPTS_THAT_LOOK_ALIKE
        if len(scripts) > 1:
            raise ValidationError(
                f"“{word}” mixes letters from different alphabets, which can look like "
                "someone else's name. Please write each word in one alphabet."
            )
    key = name_key(name)
    if not (user is not None and user.is_staff):
        words = re.findall(r"\w+", key)
        padded = " " + " ".join(words) + " "
        if set(words) & RESERVED_WORDS or any(
            " " + " ".join(re.findall(r"\w+", phrase)) + " " in padded
            for phrase in _reserved_phrases()
        ):
            raise ValidationError(
                "That name is kept for our ministry team, so that nobody can pass for "
                "them. Please choose another."
            )
    others = User.objects.filter(display_name_key=key)
    if user is not None and user.pk:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ValidationError("Another member already uses that name. Please choose another.")
