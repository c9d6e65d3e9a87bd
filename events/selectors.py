"""Reads of events that other apps need."""
from datetime import date, datetime, time

from .models import Event


def calls_on(day: date, *, state_id: int) -> list[tuple[Event, datetime]]:
    """A state's prayer calls that begin on `day` (in each call's own time zone), each
    with when it begins, in order."""
    found = []
    for event in Event.objects.listed().filter(state_id=state_id, kind=Event.Kind.CALL):
        after = datetime.combine(day, time.min, tzinfo=event.zone)
        for start, _ in event.occurrences(after=after, limit=2):
            if start.date() == day:
                found.append((event, start))
    return sorted(found, key=lambda pair: pair[1])
