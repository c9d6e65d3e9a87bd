"""Links the site mails that carry signed values (a subscriber's id, a reminder's):
read back, or refused in words a reader can act on."""
from django.core import signing


class BadLink(Exception):
    """A link that was altered, has expired, or names nothing that still exists."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_link(token: str, *, salt: str, broken: str, max_age: int | None = None,
              expired: str = ""):
    """What `token` was signed with under `salt`: BadLink with `expired` when it is older
    than `max_age` seconds, or with `broken` when it was cut short, altered or made
    elsewhere."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(expired or broken) from None
    except signing.BadSignature:
        raise BadLink(broken) from None
