"""Asking to be reminded of an event, confirming by email, stopping, and what a
change of an event's time does. Every write to reminders is made here."""
import hashlib
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from library import jobs
from library.mail import outbox
from library.pages import pagecache
from library.web import ratelimit
from library.web.links import BadLink, read_link

from . import clock
from .models import Event, Reminder
from .zones import same_instant

CONFIRM_SALT = "events.confirm-reminder"
CONFIRM_DAYS = 7
STOP_SALT = "events.stop-reminders"
CONFIRMATIONS_PER_DAY = 3
# What changes an event's time for those who asked to be reminded of it.
TIME_FIELDS = ("time_zone", "start_date", "start_time", "end_date", "end_time", "repeat",
               "repeat_until", "repeat_count", "skipped_dates", "is_cancelled")


class CannotRemind(Exception):
    """The event, or the date asked for, has no time left to be reminded of."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message




def _check_ahead(event: Event, occurrence: datetime | None) -> None:
    now = clock.now()
    if event.is_cancelled:
        raise CannotRemind("This event was cancelled, so there is nothing to remind you of.")
    if occurrence is not None:
        if occurrence <= now:
            raise CannotRemind("That date has already passed. Choose a date still to come.")
        if not any(same_instant(occurrence, start)
                   for start, _ in event.occurrences(after=occurrence, limit=1)):
            raise CannotRemind("The event does not happen at that time. Choose one of the "
                               "dates shown.")
    elif event.next_occurrence(now) is None or event.next_occurrence(now)[0] <= now:
        raise CannotRemind("This event has already taken place, so there is nothing left "
                           "to remind you of.")


@transaction.atomic
def remind_member(*, member, event: Event, occurrence: datetime | None = None) -> bool:
    """The member asks to be reminded (of one date, or of every date). True when
    this is new; asking again changes which dates."""
    _check_ahead(event, occurrence)
    reminder, made = Reminder.objects.get_or_create(
        event=event, member=member,
        defaults={"occurrence": occurrence, "confirmed_at": timezone.now(),
                  "told_version": event.schedule_version})
    if not made and not same_instant(reminder.occurrence, occurrence):
        reminder.occurrence = occurrence
        reminder.save(update_fields=["occurrence"])
    return made


def _address_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def remind_by_email(*, email: str, event: Event, occurrence: datetime | None = None) -> None:
    """A reader who is not logged in asks for reminders at `email`. The address gets
    a link to confirm (at most CONFIRMATIONS_PER_DAY a day); the answer is the same
    whatever the address, so no one learns who asked. Call outside a transaction."""
    _check_ahead(event, occurrence)
    email = email.strip()
    if not ratelimit.allow("events-confirm", _address_key(email),
                           limit=CONFIRMATIONS_PER_DAY, period=24 * 3600):
        return
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(
            event=event, email__iexact=email).first()
        if reminder is None:
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        event=event, email=email, occurrence=occurrence,
                        told_version=event.schedule_version)
            except IntegrityError:  # asked twice at once: one row
                reminder = Reminder.objects.get(event=event, email__iexact=email)
        elif reminder.confirmed_at is None:
            # Asked again, from the page as it is now: any change before is known.
            reminder.occurrence, reminder.told_version = occurrence, event.schedule_version
            reminder.save(update_fields=["occurrence", "told_version"])
        outbox.send("events/email/confirm", {
            "event": event, "days": CONFIRM_DAYS,
            "confirm_url": settings.SITE_URL + reverse(
                "events:confirm", args=[signing.dumps(reminder.pk, salt=CONFIRM_SALT)]),
        }, to=email)


BROKEN = "This link is not complete. Copy the whole link from the email."


def reminder_from_confirm_link(token: str) -> Reminder:
    pk = read_link(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 24 * 3600,
                   expired="This link has expired. Ask for the reminder again on the event's "
                   "page.", broken=BROKEN)
    reminder = Reminder.objects.select_related("event").filter(pk=pk).first()
    if reminder is None:
        raise BadLink("This reminder was stopped. Ask again on the event's page.")
    return reminder


@transaction.atomic
def confirm(reminder: Reminder) -> None:
    """The reader confirms from their inbox. The version they heard of stays the one
    of the page they asked on: a change of time since is told to them, and moves the
    one date they asked for, as for everyone (reminders.tell_changes)."""
    if reminder.confirmed_at is None and Reminder.objects.filter(
            pk=reminder.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now()):
        if reminder.told_version < reminder.event.schedule_version:
            jobs.soon("events.reminders.tell_changes", task_name="Events: tell of a change",
                      group="events")


def stop_token(reminder: Reminder) -> str:
    return signing.dumps(reminder.pk, salt=STOP_SALT)


def stop_url(reminder: Reminder) -> str:
    return settings.SITE_URL + reverse("events:stop", args=[stop_token(reminder)])


def reminder_from_stop_link(token: str) -> Reminder | None:
    """The reminder a stop link names; None when it was stopped already."""
    pk = read_link(token, salt=STOP_SALT, broken=BROKEN)  # never expires
    return Reminder.objects.select_related("event").filter(pk=pk).first()


def stop(reminder: Reminder) -> None:
    Reminder.objects.filter(pk=reminder.pk).delete()


@transaction.atomic
def stop_for_member(*, member, event: Event) -> bool:
    return bool(Reminder.objects.filter(event=event, member=member).delete()[0])


def event_saved(*, event: Event, changed: list[str]) -> None:
    """Staff saved an event (admin): a change of its time or a cancellation is told
    to everyone who asked to be reminded, once; pages showing it are made again."""
    with transaction.atomic():
        if set(changed) & set(TIME_FIELDS):
            Event.objects.filter(pk=event.pk).update(
                schedule_version=event.schedule_version + 1)
            event.schedule_version += 1
            if event.reminders.filter(confirmed_at__isnull=False).exists():
                jobs.soon("events.reminders.tell_changes", task_name="Events: tell of a change",
                          group="events")
        pagecache.retire()
