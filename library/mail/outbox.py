"""Every mail the site sends leaves through here.

A write that causes a mail records it (`send`, `record_many`, or Django's mail
functions through `library.mail.backends`) in its own transaction: if the write
commits, so does the mail, and a crash a moment later loses nothing. A background
job (`deliver_waiting`), queued with them, hands the waiting messages to the mail
server over one connection once they are committed and marks each one sent.

Delivery is at least once. A message is marked sent right after the server
accepts it; if the worker dies between the two, the message goes again, with the
Message-ID it was given when recorded, so mail providers fold the two. A message
the server refuses for good (SMTP 5xx) is marked failed; while the server is away
or answers "try later" (4xx), a message waits, each wait twice the last, up to
OUTBOX_MAX_TRIES tries. A minute's schedule also runs `deliver_waiting`, so a
message whose wake-up was lost still goes.
"""
import logging
import secrets
import smtplib
from contextlib import contextmanager
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from library import jobs
from library.mail.compose import render_mail, render_mail_html
from library.models import OutboxMessage, SuppressedAddress

logger = logging.getLogger(__name__)

DELIVER_JOB = "library.mail.outbox.deliver_waiting"
BATCH = 100
MAX_WAIT = 3600  # seconds between two tries, at most


class MailServerAway(Exception):
    """Some messages could not be handed over and wait for their next try."""


def send(name: str, context: dict, *, to: str, member=None, headers: dict | None = None,
         html: bool = False, keeps=OutboxMessage.Keeps.EVERYTHING,
         bulk: bool = False) -> OutboxMessage | None:
    """Record the site's mail `name` (templates/<name>_subject.txt and _body.txt, and
    with `html` _body.html) to `to`, to go once the current transaction commits."""
    subject, body = render_mail(name, context)
    return record(kind=name, to=to, subject=subject, body=body, member=member,
                  html=render_mail_html(name, context) if html else "",
                  headers=headers, keeps=keeps, bulk=bulk)


def record(**fields) -> OutboxMessage | None:
    """Record one message (the fields of `record_many`'s dicts); None when it is bulk
    mail to an address that takes none."""
    rows = _rows([fields])
    if not rows:
        return None
    rows[0].save()
    wake()
    return rows[0]


def record_many(messages: list[dict]) -> int:
    """Record many messages in one insert (bulk mail to subscribers), each with a
    `batch_key`: a key already recorded is skipped, so recording a batch again adds
    nothing. Returns the number of messages offered."""
    rows = _rows(messages)
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if rows:
        wake()
    return len(rows)


def _rows(messages: list[dict]) -> list[OutboxMessage]:
    """The outbox's rows for `messages`, each a dict of kind, to, subject, body and
    optionally html, from_email, headers, member, keeps, batch_key and `bulk`. Mail
    sent to a list (`bulk`, or anything with a `batch_key`) does not go to an address
    that bounced for good or complained; a message's own Message-ID is made here,
    kept for every try."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    bulk = [m["to"] for m in messages if m.get("bulk") or m.get("batch_key")]
    refused = set(bulk) - set(takes_bulk(bulk))
    rows = []
    for m in messages:
        if (m.get("bulk") or m.get("batch_key")) and m["to"] in refused:
            continue
        member = m.get("member")
        rows.append(OutboxMessage(
            kind=m["kind"], to=m["to"], subject=m["subject"], body=m["body"],
            html=m.get("html", ""), from_email=m.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            headers={k: v for k, v in (m.get("headers") or {}).items()
                     if k.lower() != "message-id"},
            member=member if getattr(member, "pk", None) else None,
            keeps=m.get("keeps", OutboxMessage.Keeps.EVERYTHING),
            batch_key=m.get("batch_key", ""), message_id=make_msgid(domain=domain),
        ))
    return rows


def batch_counts(key: str):
    """How a bulk mailing's copies stand: rows of status and count."""
    return (OutboxMessage.objects.filter(batch_key__startswith=f"{key}:")
            .values("status").annotate(n=Count("id")).order_by())


def takes_bulk(addresses: list[str]) -> list[str]:
    """Of `addresses`, those that mail sent to a list goes to: not one that bounced
    for good or complained. The outbox's own rule, asked by whoever must count."""
    skip = suppressed(addresses)
    return [address for address in addresses if address.lower() not in skip]


def suppressed(addresses) -> set[str]:
    """Of `addresses`, those that get no bulk mail (lower-cased)."""
    lowered = {a.lower() for a in addresses if a}
    if not lowered:
        return set()
    return set(SuppressedAddress.objects.annotate(address=Lower("email"))
               .filter(address__in=lowered).values_list("address", flat=True))


def suppress(address: str, reason: str, detail: str = "") -> bool:
    """No more bulk mail to `address`; True if it was not suppressed before. Its bulk
    mail still waiting is dropped."""
    if not address or suppressed([address]):
        return False
    try:
        with transaction.atomic():
            SuppressedAddress.objects.create(email=address, reason=reason, detail=detail[:300])
    except IntegrityError:
        return False
    OutboxMessage.objects.filter(to__iexact=address, status=OutboxMessage.Status.WAITING
                                 ).exclude(batch_key="").update(
        status=OutboxMessage.Status.FAILED, error="The address is suppressed.", held_by="",
        held_until=None)
    return True


# What mail providers report (django-anymail's tracking webhooks), and what it means.
SUPPRESSING_EVENTS = {"bounced": SuppressedAddress.Reason.BOUNCED,
                      "complained": SuppressedAddress.Reason.COMPLAINED,
                      "rejected": SuppressedAddress.Reason.REJECTED}


def on_provider_event(sender, event, esp_name, **kwargs) -> None:
    """A bounce for good or a complaint from the configured mail provider: the address
    gets no more bulk mail. Connected to anymail.signals.tracking."""
    if esp_name.lower().replace(" ", "_") != (settings.MAIL_PROVIDER or "").lower():
        return
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if not reason or not event.recipient:
        return
    if event.event_type == "bounced" and not _for_good(event.esp_event):
        return  # a full mailbox today is not a dead address
    suppress(event.recipient, reason,
             f"{esp_name}: {event.description or event.reject_reason or event.event_type}")


def _for_good(raw) -> bool:
    """Whether the provider's own words call a bounce permanent (anymail reports soft
    and hard bounces alike as "bounced")."""
    if not isinstance(raw, dict):
        return True
    data = raw.get("event-data", raw)  # Mailgun
    if data.get("severity"):
        return data["severity"] == "permanent"
    if raw.get("Type") in ("HardBounce", "SoftBounce", "Transient", "Undeliverable"):
        return raw["Type"] in ("HardBounce", "Undeliverable")  # Postmark
    bounce = raw.get("bounce")  # Amazon SES
    if isinstance(bounce, dict) and bounce.get("bounceType"):
        return bounce["bounceType"] == "Permanent"
    if raw.get("event") in ("hard_bounce", "soft_bounce"):  # Brevo
        return raw["event"] == "hard_bounce"
    return True


def wake() -> None:
    """Queue a delivery job for the messages the current transaction records."""
    jobs.soon(DELIVER_JOB, task_name="Send waiting mail", group="outbox")


def deliver_waiting(batch: int = BATCH) -> dict:
    """The job: send every message whose time has come, a batch at a time, in slices
    within the job's time limit. Raises MailServerAway when the mail server is away,
    so the queue runs the job again."""
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    away = False

    def step(out_of_time) -> bool:
        nonlocal away
        claim = None
        try:
            with jobs.unstoppable():  # a claim made is a claim known
                claim = _claim(batch)
            if claim is None:
                return False
            outcome, away = _send_all(*claim, out_of_time=out_of_time)
        except BaseException:
            if claim is not None:  # given back: what it has not tried goes to the next job
                _release(*claim)
            raise
        for name in counts:
            counts[name] += outcome[name]
        return not away

    jobs.in_slices(DELIVER_JOB, step, task_name="Send waiting mail", group="outbox")
    if away:
        raise MailServerAway(f"The mail server is away; mail waits ({counts['sent']} sent, "
                             f"{counts['failed']} failed, {counts['waiting']} waiting)")
    return counts


def _claim(batch: int) -> tuple[str, list[OutboxMessage]] | None:
    """Hold up to `batch` messages due now for this run, under a token of its own, for
    OUTBOX_LEASE seconds (renewed before each message is sent): no other worker sends
    them meanwhile, and if this one dies they come due again."""
    now, token = timezone.now(), secrets.token_hex(8)
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            Q(held_until__isnull=True) | Q(held_until__lt=now),
            status=OutboxMessage.Status.WAITING, next_try_at__lte=now,
        ).order_by("next_try_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:batch])
        OutboxMessage.objects.filter(id__in=ids).update(
            held_by=token, held_until=now + timedelta(seconds=settings.OUTBOX_LEASE),
            tries=F("tries") + 1,
        )
    messages = list(OutboxMessage.objects.filter(id__in=ids, held_by=token)
                    .order_by("next_try_at", "id"))
    return (token, messages) if messages else None


def _send_all(token: str, messages: list[OutboxMessage], *, out_of_time):
    """Send the claimed messages over one connection: (counts, server away?); out of
    time, the rest go back for the next job. Every write names the token, so a
    message this run no longer holds (its lease ran out and another took it, or it
    was deleted) is left alone."""
    outcome = {"sent": 0, "failed": 0, "waiting": 0}
    mailer = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
    try:
        mailer.open()
    except (OSError, smtplib.SMTPException) as error:
        _wait(token, messages, error)
        outcome["waiting"] = len(messages)
        return outcome, True
    try:
        for position, message in enumerate(messages):
            if out_of_time():
                _release(token, messages[position:])
                return outcome, False
            # A give-back waits until the message is marked (`jobs.unstoppable`). One
            # still with the server when the worker is killed (8 s after the stop)
            # stays held, with the rest of the batch, until OUTBOX_LEASE runs out, then
            # goes again with the same Message-ID.
            with jobs.unstoppable():
                if not _renew(token, message):
                    continue
                if not message.to:
                    _finish(token, message, OutboxMessage.Status.FAILED,
                            error="No recipient: the address was erased.")
                    outcome["failed"] += 1
                    continue
                try:
                    mailer.send_messages([as_email(message)])
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _ in error.recipients.values()]
                    outcome[_refused(token, message, error, min(codes, default=500))] += 1
                except smtplib.SMTPDataError as error:
                    outcome[_refused(token, message, error, error.smtp_code)] += 1
                except AnymailRecipientsRefused as error:  # a provider's API refused it for good
                    outcome[_refused(token, message, error, 550)] += 1
                except AnymailAPIError as error:
                    if error.status_code in (400, 413, 422):  # this message, not the provider
                        outcome[_refused(token, message, error, 550)] += 1
                        continue
                    # Away, busy, or refusing us (a bad or rotated key): every message waits.
                    _wait(token, messages[position:], error)
                    outcome["waiting"] += len(messages) - position
                    return outcome, True
                except (OSError, smtplib.SMTPException) as error:
                    # The server went away (or refuses us, not this message): the rest wait.
                    _wait(token, messages[position:], error)
                    outcome["waiting"] += len(messages) - position
                    return outcome, True
                except Exception as error:  # a message no server could take (a bad header)
                    logger.exception("Mail %s cannot be sent", message.pk)
                    _finish(token, message, OutboxMessage.Status.FAILED, error=describe(error))
                    outcome["failed"] += 1
                else:
                    _finish(token, message, OutboxMessage.Status.SENT)
                    outcome["sent"] += 1
    finally:
        try:
            mailer.close()
        except (OSError, smtplib.SMTPException):
            pass
    return outcome, False


def as_email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject, message.body, message.from_email, [message.to],
        headers={**message.headers, "Message-ID": message.message_id},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def _held(token: str, message: OutboxMessage):
    # Only a waiting message is ever held, and every change of status lets go of it,
    # so the token is the whole test; by the primary key alone, the lookup stays one
    # row however many wait (a status here let the planner scan them all).
    return OutboxMessage.objects.filter(pk=message.pk, held_by=token)


@contextmanager
def _without_waiting_for_disk():
    """A delivery run's own bookkeeping (a lease renewed, a message marked sent) commits
    without waiting for PostgreSQL's disk flush: two flushes a message were most of
    the time a message took. Only a crash of the database server itself could lose
    the last moment's marks, and those messages go again with their Message-ID."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _renew(token: str, message: OutboxMessage) -> bool:
    """Hold the message a full lease from now; False if this run no longer holds it."""
    with _without_waiting_for_disk():
        return bool(_held(token, message).update(
            held_until=timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE)))


def _finish(token: str, message: OutboxMessage, status: str, *, error: str = "") -> None:
    """Sent, or failed for good. A security mail's text (its links open an account)
    and a farewell's address go either way."""
    fields = {"status": status, "held_by": "", "held_until": None, "error": error}
    if status == OutboxMessage.Status.SENT:
        fields["sent_at"] = timezone.now()
    else:
        logger.warning("Mail %s failed for good", message.pk)
    if message.keeps != OutboxMessage.Keeps.EVERYTHING:
        fields.update(body="", html="")
    if message.keeps == OutboxMessage.Keeps.STATUS:
        fields.update(to="", error=error and "Refused by the mail server.")
    with _without_waiting_for_disk():
        _held(token, message).update(**fields)


def _refused(token, message, error, code: int) -> str:
    """The server refused this one message: for good (5xx), or for now (4xx, as a
    greylisting server does), when it waits without holding up the others."""
    if code >= 500:
        _finish(token, message, OutboxMessage.Status.FAILED, error=describe(error))
        return "failed"
    return "failed" if _wait(token, [message], error) else "waiting"


def _wait(token: str, messages: list[OutboxMessage], error) -> int:
    """Each message waits twice as long as before its next try; past the last try it
    fails for good. How many failed."""
    now, failed = timezone.now(), 0
    for message in messages:
        if message.tries >= settings.OUTBOX_MAX_TRIES:
            _finish(token, message, OutboxMessage.Status.FAILED, error=describe(error))
            failed += 1
            continue
        wait = min(settings.OUTBOX_RETRY_AFTER * 2 ** (message.tries - 1), MAX_WAIT)
        _held(token, message).update(next_try_at=now + timedelta(seconds=wait), held_by="",
                                     held_until=None, error=describe(error))
    return failed


def _release(token: str, messages: list[OutboxMessage]) -> None:
    """Out of time or given back: the messages this run still holds, untried, go back
    as they were, for the next job."""
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], held_by=token).update(
        held_by="", held_until=None, tries=F("tries") - 1)


def describe(error) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"refused {code}: {text.decode(errors='replace')}"
                         for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else message
        return f"{error.smtp_code} {text}"
    try:
        text = str(error)
    except Exception:  # an exception that cannot describe itself (a half-built API error)
        text = str(error.args[0]) if error.args else ""
    return f"{type(error).__name__}: {text}"[:1000]


def try_again(messages) -> int:
    """Staff's "Try again" for failed messages: they wait to go at once. A message
    whose text or address was erased cannot go again (a member asks for a new link)."""
    count = messages.filter(status=OutboxMessage.Status.FAILED).exclude(to="").exclude(
        body="", html="").update(
        status=OutboxMessage.Status.WAITING, tries=0, next_try_at=timezone.now(),
        held_by="", held_until=None,
    )
    if count:
        wake()
    return count


def forget_member(member, addresses) -> None:
    """An account is being deleted: what still waits for it or its `addresses` is
    dropped, and its name and address leave every other message."""
    theirs = Q(member=member)
    for address in addresses:
        if address:
            theirs |= Q(to__iexact=address)
    OutboxMessage.objects.filter(theirs, status=OutboxMessage.Status.WAITING).delete()
    OutboxMessage.objects.filter(theirs).update(
        to="", member=None, subject="", body="", html="", error="")


def forget_old_text(days: int | None = None) -> int:
    """The schedule's job: the text of mail sent more than OUTBOX_KEEP_DAYS ago is
    erased (what was sent, to whom and when stays, for staff)."""
    days = settings.OUTBOX_KEEP_DAYS if days is None else days
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENT, sent_at__lt=timezone.now() - timedelta(days=days)
    ).exclude(body="", html="").update(body="", html="")


def check_lease(app_configs=None, **kwargs) -> list:
    """A system check: a message's lease must outlast a job, or a job still sending
    could lose its messages to another worker."""
    from django.core.checks import Error

    if settings.OUTBOX_LEASE <= settings.Q_CLUSTER["timeout"]:
        return [Error(
            f"OUTBOX_LEASE ({settings.OUTBOX_LEASE:g} s) must be longer than the job "
            f"timeout, JOBS_TIMEOUT ({settings.Q_CLUSTER['timeout']} s).",
            id="library.E001")]
    return []
