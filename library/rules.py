"""Small rules several apps share, each with one home: what "published" means,
a safe place to send a reader back to, an id from a form or address, the
name shown for an account that is gone, and a count in words."""
from django.db.models import Q
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

PUBLISHED = "published"
DELETED_MEMBER_NAME = "Deleted member"
MAX_ID = 2**63 - 1  # the largest id a database column holds


def published_q(prefix: str = "") -> Q:
    """Published and due: the filter for rows with `status` and `published_at`
    (through `prefix`, e.g. "article__", for a related row)."""
    return Q(**{f"{prefix}status": PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


def is_published(status: str, published_at) -> bool:
    """The same rule for one row already in hand."""
    return status == PUBLISHED and published_at <= timezone.now()


def safe_next(request, value, fallback: str) -> str:
    """`value` if it is a path on this site, else `fallback`: no "next" parameter
    can send a reader to another site."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return fallback


def parse_id(value) -> int | None:
    """A row id from a form or an address, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def noun_for(count: int, one: str, many: str | None = None) -> str:
    """The noun a count takes: "held comment" for 1, "held comments" for any other."""
    return one if count == 1 else many or one + "s"


def counted(count: int, one: str, many: str | None = None) -> str:
    """A count with its noun in good English: "1 held comment", "2 held comments"."""
    return f"{count:,} {noun_for(count, one, many)}"
