"""A state's prayer calls as an iCalendar feed members can subscribe to."""
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def calls_calendar(state, calls, request) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Intercessors//State prayer calls//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{state.name} prayer calls")
    host = request.get_host().split(":")[0]
    page = settings.SITE_URL + state.get_absolute_url()
    for call in calls:
        start = call.next_start()
        event = Event()
        event.add("uid", f"state-call-{call.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start)
        event.add("duration", timezone.timedelta(minutes=call.duration_minutes))
        event.add("rrule", vRecur(freq="WEEKLY", byday=WEEKDAYS[call.weekday]))
        event.add("summary", call.title)
        event.add("description", f"{call.how_to_join}\n\n{page}")
        event.add("url", page)
        calendar.add_component(event)
    # Time zone rules from this year on are all a subscriber's calendar needs.
    today = timezone.localdate()
    calendar.add_missing_timezones(
        first_date=today.replace(month=1, day=1), last_date=today.replace(year=today.year + 12)
    )
    return calendar
