"""When events happen: repetition in their own time zone across daylight saving,
ends by date or count, skipped dates, and what staff are told of a bad schedule."""
from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from events.models import Event
from tests.factories import make_event


def test_a_weekly_7pm_eastern_call_stays_7pm_eastern_across_march_and_november(db):
    call = make_event(title="Tuesday night call", start=datetime(2027, 3, 2, 19, 0),
                      repeat="weekly", repeat_until=date(2027, 11, 30))
    starts = call.occurrences(limit=60)
    assert {start.astimezone(call.zone).time() for start, _ in starts} == {time(19, 0)}
    by_date = {start.date(): start for start, _ in starts}
    # Daylight saving begins on 14 March and ends on 7 November 2027.
    assert by_date[date(2027, 3, 9)].astimezone(UTC).hour == 0  # 7 pm EST = 00:00 UTC
    assert by_date[date(2027, 3, 16)].astimezone(UTC).hour == 23  # 7 pm EDT = 23:00 UTC
    assert by_date[date(2027, 11, 2)].astimezone(UTC).hour == 23
    assert by_date[date(2027, 11, 9)].astimezone(UTC).hour == 0
    assert max(by_date) == date(2027, 11, 30)


def test_a_count_ends_the_repetition_and_skipped_dates_are_left_out(db):
    fast = make_event(title="Monthly fast", start=datetime(2027, 1, 15, 6, 0), minutes=12 * 60,
                      repeat="monthly", repeat_count=6, skipped_dates="2027-03-15",
                      time_zone="America/Chicago", kind=Event.Kind.FAST)
    days = [start.date() for start, _ in fast.occurrences(limit=20)]
    assert days == [date(2027, 1, 15), date(2027, 2, 15), date(2027, 4, 15),
                    date(2027, 5, 15), date(2027, 6, 15)]
    after = datetime(2027, 4, 20, tzinfo=UTC)
    assert [s.date() for s, _ in fast.occurrences(after=after)] == [date(2027, 5, 15),
                                                                     date(2027, 6, 15)]
    assert fast.when_text() == "Every month on the 15th at 6:00 AM Central time"


def _errors(**fields):
    base = dict(title="Call", time_zone="America/New_York", start_date=date(2027, 1, 5),
                start_time=time(19, 0), end_date=date(2027, 1, 5), end_time=time(20, 0))
    event = Event(**{**base, **fields})
    with pytest.raises(ValidationError) as raised:
        event.full_clean()
    return raised.value.message_dict


@pytest.mark.parametrize("fields,field,words", [
    ({"end_time": time(18, 0)}, "end_time", "The end must come after the start."),
    ({"repeat": "weekly"}, "repeat_until", "A repeating event needs an end"),
    ({"time_zone": "America/Springfield"}, "time_zone", "is not a time zone we know"),
    ({"repeat": "monthly", "repeat_count": 3, "start_date": date(2027, 1, 30),
      "end_date": date(2027, 1, 30)}, "start_date", "the 1st to the 28th"),
    ({"skipped_dates": "2027-02-30"}, "skipped_dates", "is not a date"),
    ({"repeat": "weekly", "repeat_until": date(2027, 3, 2), "repeat_count": 5},
     "repeat_count", "not both"),
    ({"slug": "reminders"}, "slug", "is the address of another page of the site"),
])
def test_a_bad_schedule_is_refused_with_a_clear_message(db, fields, field, words):
    errors = _errors(**fields)
    assert any(words in message for message in errors[field]), errors


def test_the_database_refuses_what_the_form_refuses(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Event.objects.create(title="Backwards", start_date=date(2027, 1, 5),
                             start_time=time(19, 0), end_date=date(2027, 1, 5),
                             end_time=time(18, 0))


def test_the_database_refuses_a_rule_with_two_ends(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Event.objects.create(title="Two ends", start_date=date(2027, 1, 5),
                             start_time=time(19, 0), end_date=date(2027, 1, 5),
                             end_time=time(20, 0), repeat="weekly",
                             repeat_until=date(2027, 3, 2), repeat_count=5)


def test_a_phone_and_code_make_one_tap_to_call_link(db):
    call = make_event(phone="(512) 555-0199", access_code="4417#")
    assert call.phone_href == "tel:+15125550199,,4417#"
