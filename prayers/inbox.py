"""Prayers pressed from the mail in this browser: a signed cookie that the mail's "I
Prayed" sets (updates.views.pray), read by the parts of shared pages, so a subscriber
who is not logged in sees "You prayed" and is not asked to subscribe again."""
from collections import namedtuple

COOKIE = "inbox_prayed"
SALT = "prayers.inbox.prayed-from-the-inbox"
KEPT = 200  # the last prayers pressed: months of daily mail in a cookie of about 1.5 kB
MAX_AGE = 365 * 24 * 3600  # browsers keep a cookie at most 400 days

Inbox = namedtuple("Inbox", "subscriber prayed")
NOBODY = Inbox(False, frozenset())


def read(request) -> Inbox:
    """Whether this browser came from a subscriber's mail, and what it prayed from it."""
    if "_inbox" not in request.__dict__:
        value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
        request._inbox = _parse(value) if value else NOBODY
    return request._inbox


def _parse(value: str) -> Inbox:
    kind, _, ids = value.partition("|")
    if kind != "subscriber":
        return NOBODY
    return Inbox(True, frozenset(int(pk) for pk in ids.split(",") if pk.isdigit()))


def kept(ids, pk: int) -> list[int]:
    """`ids` with `pk` last, once, and only the last KEPT of them."""
    return [*(i for i in ids if i != pk), pk][-KEPT:]


def remember(request, response, prayer_pk: int) -> None:
    """Add the prayer to what this browser prayed from a subscriber's mail."""
    value = request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=MAX_AGE)
    before = [int(pk) for pk in value.partition("|")[2].split(",") if pk.isdigit()]
    ids = kept(before, prayer_pk)
    response.set_signed_cookie(COOKIE, "subscriber|" + ",".join(map(str, ids)), salt=SALT,
                               max_age=MAX_AGE, httponly=True, samesite="Lax",
                               secure=request.is_secure())
