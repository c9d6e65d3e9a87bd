"""The jobs that mail reminders: 24 hours and 1 hour before each date someone asked
to be reminded of, and word of a changed time or a cancellation. Each is recorded in
the outbox in the transaction that notes it was told, so no one is told twice."""
from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from library.db import insert_once
from library.mail import outbox

from . import clock
from .models import Event, Reminder, ReminderNotice
from .services import stop_url
from .zones import STATE_ZONES, same_instant, zone, zone_label

DAY, HOUR = timedelta(hours=24), timedelta(hours=1)


def _address(reminder: Reminder) -> str:
    if reminder.member_id:
        return reminder.member.email if reminder.member.can_be_mailed else ""
    return reminder.email


def _context(reminder: Reminder, start) -> dict:
    event = reminder.event
    context = {"event": event, "event_url": settings.SITE_URL + event.get_absolute_url(),
               "stop_url": stop_url(reminder), "start": start, "zone_label": event.zone_label}
    state = getattr(reminder.member, "home_state", None) if reminder.member_id else None
    own = STATE_ZONES.get(state.code) if state else None
    if start is not None and own and own != event.time_zone:
        context.update(local_start=start.astimezone(zone(own)), local_label=zone_label(own))
    return context


def _headers(reminder: Reminder) -> dict:
    return {"List-Unsubscribe": f"<{stop_url(reminder)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_due() -> int:
    """The schedule's job: each reminder that is due and not yet sent. Returns how
    many were recorded."""
    now = clock.now()
    soon = {}  # event id → the starts of its dates within a day
    asked_for = (Event.objects.listed().filter(reminders__confirmed_at__isnull=False)
                 .distinct())
    for event in asked_for.iterator(chunk_size=500):
        starts = [start for start, _ in event.occurrences(after=now, limit=2)
                  if now < start <= now + DAY]
        if starts:
            soon[event.pk] = starts
    sent = 0
    reminders = (Reminder.objects.filter(confirmed_at__isnull=False, event_id__in=list(soon))
                 .filter(Q(occurrence__isnull=True) | Q(occurrence__gt=now))
                 .select_related("event", "member__home_state"))
    for reminder in reminders.iterator(chunk_size=500):
        for start in soon[reminder.event_id]:
            if reminder.occurrence is not None and not same_instant(reminder.occurrence, start):
                continue
            kind = "1h" if start - now <= HOUR else "24h"
            key = f"{kind}:{start.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
            address = _address(reminder)
            if not address:
                continue
            with transaction.atomic():
                if insert_once(ReminderNotice, reminder=reminder, key=key):
                    outbox.send(f"events/email/reminder_{kind}",
                                _context(reminder, start), to=address, member=reminder.member,
                                headers=_headers(reminder))
                    sent += 1
    return sent


def tell_changes() -> int:
    """Everyone who asked to be reminded of an event whose time changed, or which was
    cancelled, since they last heard: one mail each per change."""
    now, told = clock.now(), 0
    waiting = (Reminder.objects.filter(confirmed_at__isnull=False,
                                       told_version__lt=F("event__schedule_version"))
               .select_related("event", "member__home_state"))
    for reminder in waiting.iterator(chunk_size=500):
        event = reminder.event
        with transaction.atomic():
            # The row's own update decides between two workers: one tells.
            if not Reminder.objects.filter(pk=reminder.pk,
                                           told_version__lt=event.schedule_version).update(
                    told_version=event.schedule_version):
                continue
            one_date, ended = reminder.occurrence is not None, False
            if one_date and not event.is_cancelled:
                # One date of a repeating event: the date that now falls on or after it.
                # With none left, the reminder has nothing more to remind of: it ends
                # once they are told (never "every date", which they did not ask for).
                moved = event.occurrences(after=reminder.occurrence - DAY, limit=1)
                start, ended = (moved[0][0], False) if moved else (None, True)
                if moved:
                    Reminder.objects.filter(pk=reminder.pk).update(occurrence=start)
            else:
                upcoming = event.next_occurrence(now)
                start = upcoming[0] if upcoming else None
            address = _address(reminder)
            if address:
                context = {**_context(reminder, start), "one_date": one_date, "ended": ended}
                insert_once(ReminderNotice, reminder=reminder,
                            key=f"change:{event.schedule_version}")
                outbox.send("events/email/cancelled" if event.is_cancelled
                            else "events/email/changed",
                            context, to=address, member=reminder.member,
                            headers=_headers(reminder))
                told += 1
            if ended:
                Reminder.objects.filter(pk=reminder.pk).delete()
    return told
