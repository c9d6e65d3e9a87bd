"""The one way into the outbox for mail written with Django's mail functions.

`EMAIL_BACKEND` is `OutboxBackend`: allauth's mails, `send_mail`, `mail_admins` and
any EmailMessage's `.send()` are recorded in the outbox in the caller's
transaction, one message per recipient, and the worker hands them to
`OUTBOX_DELIVERY_BACKEND` like the site's own mail."""
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q

from library.mail import outbox
from library.models import OutboxMessage

# The header a sender may set to name its mail for staff (the outbox's "kind"); it
# does not leave the site.
KIND_HEADER = "X-Site-Mail-Kind"


class OutboxBackend(BaseEmailBackend):
    """Mail sent through Django is account mail (a confirmation, a reset link, a
    notice of a changed password) or a report to the site's admins: its links or
    its text may open an account, so once sent only its envelope is kept, and staff
    see only recipient, kind and status."""

    def send_messages(self, email_messages) -> int:
        recorded = 0
        for message in email_messages:
            headers = dict(message.extra_headers)
            kind = headers.pop(KIND_HEADER, "") or "site mail"
            html = next((content for content, mimetype in getattr(message, "alternatives", [])
                         if mimetype == "text/html"), "")
            body = message.body
            if message.content_subtype == "html":
                body, html = "", message.body
            for to in message.recipients():
                outbox.record(kind=kind, to=to, subject=message.subject, body=body, html=html,
                              from_email=message.from_email, headers=headers,
                              member=_owner(to), keeps=OutboxMessage.Keeps.ENVELOPE)
                recorded += 1
        return recorded


def _owner(address: str):
    """The live account an address belongs to, if any (its mail is dropped with it)."""
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(email__iexact=address) | Q(emailaddress__email__iexact=address))
            .order_by("pk").first())
