"""Events as iCalendar (RFC 5545): one event's file, and the feeds calendars
subscribe to. A repeating event is one entry with its rule (RRULE), the dates it
skips (EXDATE) and its time zone's rules (VTIMEZONE), so a subscriber's calendar
keeps the wall-clock time across daylight saving and picks up every change."""
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vRecur
from icalendar import Event as CalendarEvent

from library.text.markup import html_to_text

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _uid(event, host: str) -> str:
    # A call subscribers knew as a state call keeps its identity in their calendars.
    if event.state_call_id:
        return f"state-call-{event.state_call_id}@{host}"
    return f"event-{event.pk}@{host}"


def _description(event, page: str) -> str:
    parts = [html_to_text(event.description_html)] if event.description_html else []
    if event.phone:
        parts.append(f"Call {event.phone}" + (f", code {event.access_code}"
                                             if event.access_code else ""))
    if event.stream_url:
        parts.append(f"Watch or listen: {event.stream_url}")
    if event.join_notes:
        parts.append(html_to_text(event.join_notes_html))
    parts.append(page)
    return "\n\n".join(part.strip() for part in parts if part.strip())


def _end(event) -> dict:
    """The rule's one end: RFC 5545 allows a count or a last date, never both (the
    model holds one; were there two, the one reached first, where its dates stop)."""
    count, until = event.repeat_count, event.repeat_until
    if count is not None and (until is None or event.nth_date(count - 1) <= until):
        return {"count": count}
    if until is not None:
        # With a zoned start, RFC 5545 wants the end of the rule in UTC.
        return {"until": datetime.combine(until, event.start_time,
                                          tzinfo=event.zone).astimezone(UTC)}
    return {}


def entry(event, host: str) -> CalendarEvent:
    page = settings.SITE_URL + event.get_absolute_url()
    tz, start = event.zone, event.first_start()
    item = CalendarEvent()
    item.add("uid", _uid(event, host))
    item.add("dtstamp", timezone.now().astimezone(UTC))
    item.add("last-modified", event.updated_at.astimezone(UTC))
    item.add("sequence", event.schedule_version)
    item.add("dtstart", start)
    item.add("dtend", start + event.duration)
    item.add("summary", event.title)
    item.add("description", _description(event, page))
    item.add("url", page)
    where = event.address.replace("\n", ", ") or (event.stream_url or event.phone)
    if where:
        item.add("location", where)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.repeats:
        rule = {"freq": "WEEKLY" if event.repeat == event.Repeat.WEEKLY else "MONTHLY"}
        if event.repeat == event.Repeat.WEEKLY:
            rule["byday"] = WEEKDAYS[event.start_date.weekday()]
        else:
            rule["bymonthday"] = event.start_date.day
        rule.update(_end(event))
        item.add("rrule", vRecur(rule))
        skipped = [datetime.combine(day, event.start_time, tzinfo=tz) for day in event.skipped]
        if skipped:
            item.add("exdate", skipped)
    return item


def calendar(events, *, name: str, host: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Intercessors//Prayer calls and gatherings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    # Calendars that honour it look for changes every few hours.
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for event in events:
        cal.add_component(entry(event, host))
    # Time zone rules from a year back on are all a subscriber's calendar needs.
    today = timezone.localdate()
    cal.add_missing_timezones(first_date=today.replace(year=today.year - 1, month=1, day=1),
                              last_date=today.replace(year=today.year + 12))
    return cal
