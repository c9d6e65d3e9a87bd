"""Calendar files and feeds parse as iCalendar with the rule, the skipped dates and
the time zone a subscriber's calendar needs, and the old state-call feed answers."""
from datetime import date, datetime, time

import pytest
from icalendar import Calendar

from states.models import State
from tests.factories import make_event


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"\r\n" in response.content
    return Calendar.from_ical(response.content)


def test_the_feed_of_all_events_has_the_rule_skipped_dates_and_time_zone(client, db):
    make_event(title="Tuesday night call", start=datetime(2027, 3, 2, 19, 0), repeat="weekly",
               repeat_until=date(2027, 11, 30), skipped_dates="2027-03-23\n2027-07-06",
               description="Pray for the nation; bring a friend.")
    make_event(title="Monthly fast", start=datetime(2027, 1, 15, 6, 0), minutes=12 * 60,
               repeat="monthly", repeat_count=6, time_zone="America/Chicago")
    calendar = _parse(client.get("/events/calendar.ics"))
    entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    call = entries["Tuesday night call"]
    rule = call["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    # With a zoned start the rule's end is in UTC: 30 November, 7 pm EST.
    assert rule["UNTIL"][0].isoformat() == "2027-12-01T00:00:00+00:00"
    start = call.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (19, "America/New_York")
    skipped = sorted(d.dt for exdate in [call["EXDATE"]] for d in exdate.dts)
    assert [(d.date(), d.hour, str(d.tzinfo)) for d in skipped] == [
        (date(2027, 3, 23), 19, "America/New_York"), (date(2027, 7, 6), 19, "America/New_York")]
    fast = entries["Monthly fast"]["RRULE"]
    assert fast["FREQ"] == ["MONTHLY"] and fast["COUNT"] == [6] and fast["BYMONTHDAY"] == [15]
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "America/New_York", "America/Chicago"}
    assert "bring a friend" in str(call["DESCRIPTION"])


def test_the_rule_gives_the_dates_the_site_gives_across_daylight_saving(client, db):
    """What a calendar program computes from the feed is what the event's page shows."""
    from dateutil.rrule import rrulestr

    event = make_event(title="Tuesday night call", start=datetime(2027, 3, 2, 19, 0),
                       repeat="weekly", repeat_until=date(2027, 11, 30),
                       skipped_dates="2027-03-23")
    entry = _parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    start = entry.decoded("DTSTART")
    rule = rrulestr(entry["RRULE"].to_ical().decode(), dtstart=start, forceset=True)
    for skipped in entry["EXDATE"].dts:
        rule.exdate(skipped.dt)
    assert list(rule) == [s for s, _ in event.occurrences(limit=100)]


def test_a_states_feed_and_its_old_address_serve_its_events(client, db):
    texas = State.objects.get(code="TX")
    make_event(title="Texas Tuesday call", state=texas, repeat="weekly",
               time_zone="America/Chicago", phone="512-555-0199", access_code="44#")
    make_event(title="Retired call", state=texas, repeat="weekly", is_cancelled=True)
    make_event(title="National call")
    for path in ("/events/states/texas/calendar.ics", "/states/texas/calls.ics"):
        calendar = _parse(client.get(path))
        entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
        assert set(entries) == {"Texas Tuesday call", "Retired call"}
        assert str(entries["Retired call"]["STATUS"]) == "CANCELLED"
        assert "Call 512-555-0199, code 44#" in str(entries["Texas Tuesday call"]["DESCRIPTION"])
    assert client.get("/states/atlantis/calls.ics").status_code == 404
    assert client.get("/events/states/atlantis/calendar.ics").status_code == 404


def test_a_moved_event_keeps_its_identity_with_a_higher_sequence(client, db):
    from events.services import event_saved

    event = make_event(title="National call")
    first = _parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    event.start_time = event.start_time.replace(hour=20)
    event.end_time = event.end_time.replace(hour=21)
    event.save()
    event_saved(event=event, changed=["start_time", "end_time"])
    second = _parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1


def test_a_call_that_was_a_state_call_keeps_its_calendar_identity(client, db):
    from states.models import StateCall

    texas = State.objects.get(code="TX")
    old = StateCall.objects.create(state=texas, title="Texas call", weekday=1,
                                   start_time="19:00", time_zone="America/Chicago",
                                   how_to_join="Dial in.")
    make_event(title="Texas call", state=texas, repeat="weekly", state_call=old)
    entry = _parse(client.get("/states/texas/calls.ics")).walk("VEVENT")[0]
    assert str(entry["UID"]) == f"state-call-{old.pk}@testserver"


@pytest.mark.parametrize("count, until, end", [
    (3, date(2027, 3, 30), "COUNT"),  # three Tuesdays end on 19 January
    (20, date(2027, 1, 19), "UNTIL"),
])
def test_a_rule_has_one_end_the_one_its_dates_stop_at(count, until, end):
    """RFC 5545 forbids COUNT with UNTIL, and strict calendars refuse the whole feed.
    The table holds one end; an event with two in hand still gets a rule with one."""
    from dateutil.rrule import rrulestr
    from django.utils import timezone

    from events.calendar import entry
    from events.models import Event

    event = Event(title="Tuesday night call", slug="tuesday-night-call",
                  time_zone="America/New_York", start_date=date(2027, 1, 5),
                  start_time=time(19, 0), end_date=date(2027, 1, 5), end_time=time(20, 0),
                  repeat="weekly", repeat_count=count, repeat_until=until,
                  updated_at=timezone.now())
    item = Calendar.from_ical(entry(event, "testserver").to_ical())
    rule = item["RRULE"]
    assert {"COUNT", "UNTIL"} & set(rule) == {end}
    dates = rrulestr(rule.to_ical().decode(), dtstart=item.decoded("DTSTART"))
    assert list(dates) == [start for start, _ in event.occurrences(limit=100)]
    assert len(list(dates)) == 3
