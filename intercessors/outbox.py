"""Every mail the site sends leaves through here.

A write that causes a mail records it (`send`, `record_email`) in its own
transaction: if the write commits, so does the mail, and a crash a moment later
loses nothing. A background job (`deliver_waiting`), queued with them, hands the
waiting messages to the mail server over one connection once they are committed
and marks each one sent.

Delivery is at least once. A message is marked sent right after the server
accepts it; if the worker dies between the two, the message goes again, with the
Message-ID it was given when recorded, so mail providers fold the two. A message
the server refuses for good (SMTP 5xx) is marked failed; while the server is away
or answers "try later" (4xx), a message waits, each wait twice the last, up to
OUTBOX_MAX_TRIES tries. A minute's schedule also runs `deliver_waiting`, so a
message whose wake-up was lost still goes.
"""
import logging
import smtplib
import time
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .mail import render_mail
from .models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_JOB = "intercessors.outbox.deliver_waiting"
BATCH = 100
MAX_WAIT = 3600  # seconds between two tries, at most


class MailServerAway(Exception):
    """Some messages could not be handed over and wait for their next try."""


def send(name: str, context: dict, *, to: str, member=None,
         keeps=OutboxMessage.Keeps.EVERYTHING) -> OutboxMessage:
    """Record the site's mail `name` (templates/<name>_subject.txt and _body.txt) to
    `to`, to go once the current transaction commits."""
    subject, body = render_mail(name, context)
    return record(kind=name, to=to, subject=subject, body=body, member=member, keeps=keeps)


def record_email(message, *, kind: str, member=None,
                 keeps=OutboxMessage.Keeps.EVERYTHING) -> list[OutboxMessage]:
    """Record a composed EmailMessage (allauth's), one outbox row per recipient."""
    html = next((content for content, mimetype in getattr(message, "alternatives", [])
                 if mimetype == "text/html"), "")
    return [
        record(kind=kind, to=to, subject=message.subject, body=message.body, html=html,
               from_email=message.from_email, headers=dict(message.extra_headers),
               member=member, keeps=keeps)
        for to in message.to
    ]


def record(*, kind: str, to: str, subject: str, body: str, html: str = "",
           from_email: str = "", headers: dict | None = None, member=None,
           keeps=OutboxMessage.Keeps.EVERYTHING) -> OutboxMessage:
    headers = {k: v for k, v in (headers or {}).items() if k.lower() != "message-id"}
    message = OutboxMessage.objects.create(
        kind=kind, to=to, subject=subject, body=body, html=html,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL, headers=headers,
        member=member if getattr(member, "pk", None) else None, keeps=keeps,
        message_id=make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost"),
    )
    wake()
    return message


def wake() -> None:
    """Queue a delivery job for the messages the current transaction records, once
    per transaction. The queue is a table of the same database (Django-Q2's ORM
    broker), so the job is queued in the transaction itself and commits, or not,
    with the messages; with another broker it is queued after the commit."""
    db = transaction.get_connection()
    in_database = settings.Q_CLUSTER.get("orm") == db.alias
    if not db.in_atomic_block:
        (_queue_job if in_database else _queue_job_after_commit)()
    elif not any(entry[1] in (_job_queued, _queue_job_after_commit)
                 for entry in db.run_on_commit):
        if in_database:
            _queue_job()
            # Marks this transaction as having its job; dropped with it, or with the
            # savepoint the job was queued in, if that is rolled back.
            transaction.on_commit(_job_queued)
        else:
            transaction.on_commit(_queue_job_after_commit)


def _job_queued() -> None:
    pass


def _queue_job() -> None:
    from django_q.tasks import async_task

    async_task(DELIVER_JOB, task_name="Send waiting mail", group="outbox")


def _queue_job_after_commit() -> None:
    try:
        _queue_job()
    except Exception:  # the message is safe in the outbox; the minute's schedule sends it
        logger.exception("Could not queue a mail delivery job")


def deliver_waiting(batch: int = BATCH) -> dict:
    """The job: send every message whose time has come, a batch at a time. Raises
    MailServerAway when some must wait, so the queue runs the job again later."""
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    # A long mailing is sent by a chain of jobs, each well within the queue's timeout.
    stop_at = time.monotonic() + settings.Q_CLUSTER["timeout"] / 2
    while claimed := _claim(batch):
        outcome = _send_all(claimed)
        for name in counts:
            counts[name] += outcome[name]
        if outcome["waiting"]:
            break  # the server is away: the rest wait for the next run
        if time.monotonic() > stop_at:
            _queue_job()
            break
    if counts["waiting"]:
        raise MailServerAway(f"{counts['waiting']} messages wait for the mail server "
                             f"({counts['sent']} sent, {counts['failed']} failed)")
    return counts


def _claim(batch: int) -> list[OutboxMessage]:
    """Hold up to `batch` messages due now for this worker, for OUTBOX_LEASE seconds:
    no other worker sends them meanwhile, and if this one dies they come due again."""
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            Q(held_until__isnull=True) | Q(held_until__lt=now),
            status=OutboxMessage.Status.WAITING, next_try_at__lte=now,
        ).order_by("next_try_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:batch])
        OutboxMessage.objects.filter(id__in=ids).update(
            held_until=now + timedelta(seconds=settings.OUTBOX_LEASE), tries=F("tries") + 1
        )
    return list(OutboxMessage.objects.filter(id__in=ids).order_by("next_try_at", "id"))


def _send_all(messages: list[OutboxMessage]) -> dict:
    outcome = {"sent": 0, "failed": 0, "waiting": 0}
    mailer = get_connection(fail_silently=False)
    try:
        mailer.open()
    except (OSError, smtplib.SMTPException) as error:
        _wait(messages, error)
        outcome["waiting"] = len(messages)
        return outcome
    try:
        for position, message in enumerate(messages):
            try:
                mailer.send_messages([as_email(message)])
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                _fail_or_wait(message, error, permanent=min(codes, default=500) >= 500)
            except smtplib.SMTPDataError as error:
                _fail_or_wait(message, error, permanent=error.smtp_code >= 500)
            except (OSError, smtplib.SMTPException) as error:
                # The server went away (or refuses us, not this message): the rest wait.
                _wait(messages[position:], error)
                outcome["waiting"] += len(messages) - position
                break
            else:
                _mark_sent(message)
                outcome["sent"] += 1
                continue
            outcome["failed" if message.status == OutboxMessage.Status.FAILED
                    else "waiting"] += 1
    finally:
        try:
            mailer.close()
        except (OSError, smtplib.SMTPException):
            pass
    return outcome


def as_email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject, message.body, message.from_email, [message.to],
        headers={**message.headers, "Message-ID": message.message_id},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def _mark_sent(message: OutboxMessage) -> None:
    message.status, message.sent_at = OutboxMessage.Status.SENT, timezone.now()
    message.held_until, message.error = None, ""
    fields = ["status", "sent_at", "held_until", "error"]
    if message.keeps != OutboxMessage.Keeps.EVERYTHING:
        message.body = message.html = ""  # its links open an account: gone once sent
        fields += ["body", "html"]
    if message.keeps == OutboxMessage.Keeps.STATUS:
        message.to = ""
        fields.append("to")
    message.save(update_fields=fields)


def _fail_or_wait(message: OutboxMessage, error, *, permanent: bool) -> None:
    if permanent or message.tries >= settings.OUTBOX_MAX_TRIES:
        message.status, message.held_until = OutboxMessage.Status.FAILED, None
        message.error = describe(error)
        message.save(update_fields=["status", "held_until", "error"])
        logger.warning("Mail %s to a recipient failed for good: %s", message.pk,
                       message.error)
    else:
        _wait([message], error)


def _wait(messages: list[OutboxMessage], error) -> None:
    """Each message waits twice as long as before its next try; past the last try it
    is marked failed."""
    now = timezone.now()
    for message in messages:
        if message.tries >= settings.OUTBOX_MAX_TRIES:
            _fail_or_wait(message, error, permanent=True)
            continue
        wait = min(settings.OUTBOX_RETRY_AFTER * 2 ** (message.tries - 1), MAX_WAIT)
        message.next_try_at, message.held_until = now + timedelta(seconds=wait), None
        message.error = describe(error)
        message.save(update_fields=["next_try_at", "held_until", "error"])


def describe(error) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"refused {code}: {text.decode(errors='replace')}"
                         for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else message
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"[:1000]


def try_again(messages) -> int:
    """Staff's "Try again" for failed messages: they wait to go at once."""
    count = messages.filter(status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.WAITING, tries=0, next_try_at=timezone.now(),
        held_until=None,
    )
    if count:
        wake()
    return count


def forget_member(member) -> None:
    """An account is being deleted: what still waits for it is dropped, and its
    address leaves the messages already sent."""
    OutboxMessage.objects.filter(member=member, status=OutboxMessage.Status.WAITING).delete()
    OutboxMessage.objects.filter(member=member).update(to="", member=None, body="", html="")
