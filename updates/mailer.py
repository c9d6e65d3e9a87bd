"""Bulk mail to subscribers: each template rendered once per batch, with marks where
each reader's own links go, then filled in per reader and recorded in the outbox
in one insert, a copy per reader and mailing (the outbox's `batch_key`)."""
import secrets

from django.conf import settings

from library.mail import outbox
from library.mail.compose import render_mail, render_mail_html
from library.pages import pagecache
from prayers.models import Prayer

from .models import ARCHIVE, Edition, Mailing, Subscriber
from .services import pray_url


class Marks:
    """Where each reader's own links go in one rendering: marks made afresh for each
    batch, so no text a member wrote can name them."""

    def __init__(self):
        self.stamp = secrets.token_hex(8)
        self.leave = f"@@leave-{self.stamp}@@"

    def pray(self, prayer: Prayer) -> str:
        return f"@@pray-{self.stamp}-{prayer.pk}@@"


def web_url(email: Edition | Mailing) -> str:
    """Where a mail's "Read this email on the web" goes (updates.archive), or "" when
    it has no page there: a state alert, or a letter staff keep out of the archive."""
    if isinstance(email, Mailing) and not email.show_in_archive:
        return ""
    path = email.get_absolute_url()
    return settings.SITE_URL + path if path else ""


def went_out(email: Edition | Mailing, recorded: int) -> None:
    """Called in the transaction that records a batch of an email's copies: its first
    copies put it in the web archive, whose pages are then made again."""
    before = email.sent_count if isinstance(email, Edition) else email.recorded
    if recorded and not before:
        pagecache.retire(ARCHIVE)


def unsubscribe_headers(leave_url: str) -> dict:
    """RFC 8058 one-click unsubscribe, which large mailbox providers require of bulk
    mail: an https link that takes a POST, and a mailto only when one is set."""
    links = [f"<{leave_url}>"]
    if settings.UNSUBSCRIBE_MAILTO:
        links.append(f"<mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(links),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_batch(name: str, context: dict, subscribers: list[Subscriber], *, key: str,
               marks: Marks, prayers=()) -> int:
    """Record mail `name` to each of `subscribers` (members' current addresses; the
    outbox leaves out those that take no bulk mail). `key` names the mailing: a
    reader's copy of it is recorded once, however often this runs. Returns the
    number recorded."""
    subject, body = render_mail(name, context)
    html = render_mail_html(name, context)
    messages = []
    for subscriber in subscribers:
        leave_url = subscriber.leave_url
        links = {marks.leave: leave_url,
                 **{marks.pray(p): pray_url(subscriber, p) for p in prayers}}
        messages.append({
            "kind": name, "to": subscriber.address, "subject": subject,
            "body": _fill(body, links), "html": _fill(html, links),
            "headers": unsubscribe_headers(leave_url),
            "member": subscriber.member, "batch_key": f"{key}:{subscriber.pk}",
        })
    return outbox.record_many(messages)


def _fill(text: str, links: dict[str, str]) -> str:
    for mark, link in links.items():
        text = text.replace(mark, link)
    return text
