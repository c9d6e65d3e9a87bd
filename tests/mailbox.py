"""Mail in the suite: recorded in the outbox by the code under test, then handed
over by the delivery job itself, run here as the worker would run it, into Django's
test mailbox. The tests about the worker and the mail server (tests/jobs) start a
real worker and a real SMTP server instead."""
from django.core import mail

from library.mail import outbox


def delivered() -> list:
    """Run the delivery job; every message it has handed over so far."""
    outbox.deliver_waiting()
    return mail.outbox


def unstamped(signed: str) -> str:
    """A link or token signed with a time (Django's `signing.dumps`), without that
    time and the signature over it: what a test can compare with a mail written a
    second earlier or later. The signature itself is tested where links are read."""
    return signed.rsplit(":", 2)[0] + ":"
