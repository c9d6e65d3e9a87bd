"""The events pages: the list by week with its filters, an event's page in the
reader's time zone and its own, "Live now" with a player only from allowed hosts,
staff's admin, and pinned query counts."""
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from events.models import Event, Reminder
from states.models import State
from tests.factories import make_event, make_member


def _soon(days=1, hour=19):
    return datetime.combine(timezone.localdate() + timedelta(days=days),
                            datetime.min.time()).replace(hour=hour)


def test_the_list_groups_dates_by_week_and_filters_by_state_and_kind(client, db):
    texas = State.objects.get(code="TX")
    make_event(title="National call", start=_soon(1), repeat="weekly")
    make_event(title="Texas call", state=texas, start=_soon(2), repeat="weekly",
               time_zone="America/Chicago")
    make_event(title="Capitol gathering", start=_soon(3), kind=Event.Kind.GATHERING,
               address="The Capitol steps")
    make_event(title="Cancelled call", start=_soon(1), is_cancelled=True)
    make_event(title="Long ago", start=datetime(2020, 1, 1, 19, 0))

    html = client.get("/events/").content.decode()
    assert "National call" in html and "Texas call" in html and "Capitol gathering" in html
    assert "Cancelled call" not in html and "Long ago" not in html
    assert html.count("Week of ") >= 8  # the weekly calls fill the coming weeks
    assert 'href="webcal://' in html and "/events/calendar.ics" in html

    texas_only = client.get("/events/?state=texas").content.decode()
    assert "Texas call" in texas_only and "National call" not in texas_only
    assert "/events/states/texas/calendar.ics" in texas_only
    gatherings = client.get("/events/?kind=gathering").content.decode()
    assert "Capitol gathering" in gatherings and "Texas call" not in gatherings
    assert client.get("/events/?state=atlantis").status_code == 404
    assert client.get("/events/?kind=party").status_code == 404


def test_an_event_page_shows_its_dates_in_the_readers_state_time_and_its_own(client, db):
    california = State.objects.get(code="CA")
    call = make_event(title="National call", start=_soon(1), repeat="weekly",
                      phone="202-555-0143", access_code="7788#",
                      description="Pray for **wisdom** <script>alert(1)</script>")
    html = client.get(call.get_absolute_url()).content.decode()
    assert "Every " in html and "7:00 PM Eastern time" in html
    assert "Pacific time" not in html  # a guest sees the event's own time
    assert 'href="tel:+12025550143,,7788#"' in html
    assert "<strong>wisdom</strong>" in html and "<script>alert" not in html
    member = make_member(home_state=california)
    client.force_login(member)
    html = client.get(call.get_absolute_url()).content.decode()
    assert "4:00 PM Pacific time" in html and "7:00 PM Eastern time" in html


def test_a_state_event_is_shown_in_its_states_time_to_guests(client, db):
    call = make_event(title="Arizona call", state=State.objects.get(code="AZ"), start=_soon(1),
                      time_zone="America/New_York")
    html = client.get(call.get_absolute_url()).content.decode()
    assert "Arizona time" in html


def test_an_unknown_event_is_a_404(client, db):
    assert client.get("/events/no-such-call/").status_code == 404


def test_live_now_links_the_stream_and_embeds_only_allowed_hosts(client, db, settings,
                                                                  time_machine):
    settings.EVENT_EMBED_HOSTS = ["player.example.org"]
    call = make_event(title="National call", start=datetime(2027, 5, 4, 19, 0),
                      stream_url="https://player.example.org/live/42")
    other = make_event(title="Other call", start=datetime(2027, 5, 4, 19, 0),
                       stream_url="https://elsewhere.example.com/live")
    time_machine.move_to(datetime(2027, 5, 4, 23, 30, tzinfo=UTC), tick=False)
    response = client.get(call.get_absolute_url())
    html = response.content.decode()
    assert "Live now" in html and '<iframe src="https://player.example.org/live/42"' in html
    assert "frame-src https://player.example.org" in response["Content-Security-Policy"]
    html = client.get(other.get_absolute_url()).content.decode()
    assert "Live now" in html and "<iframe" not in html
    assert 'href="https://elsewhere.example.com/live"' in html
    assert "frame-src" not in client.get("/events/")["Content-Security-Policy"]
    time_machine.move_to(datetime(2027, 5, 5, 1, 0, tzinfo=UTC), tick=False)
    assert "Live now" not in client.get(call.get_absolute_url()).content.decode()


def test_the_events_pages_query_counts_are_pinned(client, db, running_site,
                                                  django_assert_num_queries):
    texas = State.objects.get(code="TX")
    for n in range(5):
        make_event(title=f"Call {n}", start=_soon(n + 1), repeat="weekly", state=texas)
    call = Event.objects.first()
    client.get("/events/")
    with django_assert_num_queries(1):  # the versions: the page is kept
        client.get("/events/")
    client.get(call.get_absolute_url())
    with django_assert_num_queries(1):
        client.get(call.get_absolute_url())
    member = make_member(home_state=texas)
    client.force_login(member)
    # A member's own render: session, member, the event, their reminder, recordings.
    with django_assert_num_queries(5):
        client.get(call.get_absolute_url())
    with django_assert_num_queries(1):
        client.get("/events/calendar.ics")


def _admin_data(**fields):
    start = _soon(2)
    data = {"title": "National call", "slug": "", "kind": "call", "state": "",
            "description": "", "time_zone": "America/New_York",
            "start_date": start.date().isoformat(), "start_time": "19:00",
            "end_date": start.date().isoformat(), "end_time": "20:00", "repeat": "weekly",
            "repeat_until": (start.date() + timedelta(days=90)).isoformat(),
            "repeat_count": "", "skipped_dates": "", "address": "", "phone": "202-555-0143",
            "access_code": "", "stream_url": "", "join_notes": "",
            "recordings-TOTAL_FORMS": "0", "recordings-INITIAL_FORMS": "0",
            "recordings-MIN_NUM_FORMS": "0", "recordings-MAX_NUM_FORMS": "1000"}
    data.update(fields)
    return data


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_member(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("fields,words", [
    ({"end_time": "18:00"}, "The end must come after the start."),
    ({"repeat_until": ""}, "A repeating event needs an end"),
    ({"time_zone": "Eastern/Somewhere"}, "is not a time zone we know"),
])
def test_staff_are_told_what_is_wrong_and_nothing_is_saved(staff_client, fields, words):
    response = staff_client.post("/admin/events/event/add/", _admin_data(**fields))
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html and 'value="202-555-0143"' in html
    assert not Event.objects.exists()


def test_moving_an_event_in_admin_tells_those_reminded_once(staff_client, member):
    from events import reminders, services

    assert staff_client.post("/admin/events/event/add/", _admin_data()).status_code == 302
    call = Event.objects.get()
    services.remind_member(member=member, event=call)
    data = _admin_data(slug=call.slug, start_time="20:00", end_time="21:00")
    assert staff_client.post(f"/admin/events/event/{call.pk}/change/", data).status_code == 302
    data = _admin_data(slug=call.slug, start_time="20:00", end_time="21:00",
                       description="Now with a word of welcome.")
    staff_client.post(f"/admin/events/event/{call.pk}/change/", data)
    assert reminders.tell_changes() == 1
    assert reminders.tell_changes() == 0
    assert Reminder.objects.get().told_version == 1


def test_state_calls_are_read_only_in_admin_and_point_to_events(staff_client):
    ohio = State.objects.get(code="OH")
    html = staff_client.get(f"/admin/states/state/{ohio.pk}/change/").content.decode()
    assert "calls are now edited under" in html


def test_a_past_date_is_shown_as_past(client, db):
    past = make_event(title="Spring gathering", start=datetime(2024, 4, 6, 10, 0),
                      kind=Event.Kind.GATHERING)
    html = client.get(past.get_absolute_url()).content.decode()
    assert "This event has taken place." in html and "Remind me" not in html
    assert past.next_occurrence() is None
    assert date(2024, 4, 6) == past.start_date


def test_a_reminded_date_shows_in_the_events_own_zone(client, member, time_machine):
    from events import services

    time_machine.move_to(datetime(2027, 5, 1, 12, 0, tzinfo=UTC), tick=False)
    # 7 PM Central on Tuesday is 1 AM on Wednesday in UTC and 8 PM in the East.
    call = make_event(title="Texas call", start=datetime(2027, 5, 4, 19, 0), repeat="weekly",
                      time_zone="America/Chicago")
    services.remind_member(member=member, event=call, occurrence=call.occurrences(limit=1)[0][0])
    client.force_login(member)
    html = client.get(call.get_absolute_url()).content.decode()
    assert "1 hour before Tuesday, May 4." in html and "Wednesday, May 5" not in html


def test_a_confirmed_date_shows_in_the_events_own_zone(client, db, time_machine):
    from django.core import signing

    from events import services

    time_machine.move_to(datetime(2027, 5, 1, 12, 0, tzinfo=UTC), tick=False)
    # 10 PM Pacific on Tuesday is 1 AM on Wednesday in the site's Eastern time.
    call = make_event(title="California call", start=datetime(2027, 5, 4, 22, 0),
                      repeat="weekly", time_zone="America/Los_Angeles")
    services.remind_by_email(email="ruth@example.org", event=call,
                             occurrence=call.occurrences(limit=1)[0][0])
    token = signing.dumps(Reminder.objects.get().pk, salt=services.CONFIRM_SALT)
    html = client.post(f"/events/reminders/confirm/{token}/").content.decode()
    assert "Your reminders are on" in html
    assert "1 hour before Tuesday, May 4 " in html and "Wednesday" not in html


@pytest.mark.parametrize("far, words", [
    ("9999-12-31T23:00:00-12:00", "more than five years away"),
    ("2100-01-05T19:00:00-05:00", "more than five years away"),
    ("0001-01-01T00:00:00+14:00", "already passed"),
])
def test_a_date_no_page_offers_is_refused_with_a_clear_message(client, db, far, words):
    call = make_event(repeat="weekly")
    response = client.post(f"/events/{call.slug}/remind/", {"occurrence": far,
                                                            "email": "ruth@example.org"})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and 'value="ruth@example.org"' in html
    assert not Reminder.objects.exists()


def test_events_deleted_together_in_admin_leave_the_list_at_once(staff_client):
    from django.test import Client

    guest = Client()
    make_event(title="Kept call", start=_soon(1))
    gone = [make_event(title=f"Gone call {n}", start=_soon(n + 2)) for n in range(2)]
    assert "Gone call 1" in guest.get("/events/").content.decode()
    assert guest.get("/events/")["X-Page-Cache"] == "hit"  # the page cache is on
    response = staff_client.post("/admin/events/event/", {
        "action": "delete_selected", "_selected_action": [e.pk for e in gone], "post": "yes"})
    assert response.status_code == 302
    assert list(Event.objects.values_list("title", flat=True)) == ["Kept call"]
    html = guest.get("/events/").content.decode()
    assert "Kept call" in html and "Gone call" not in html


def test_an_event_titled_as_a_page_of_the_section_gets_an_address_of_its_own(client, db):
    from events.models import RESERVED_SLUGS
    from events.urls import urlpatterns

    event = make_event(title="Recordings", start=_soon(1))
    assert event.slug == "recordings-2"
    assert "<h1>Recordings</h1>" in client.get(event.get_absolute_url()).content.decode()
    recordings = client.get("/events/recordings/").content.decode()
    assert "<h1>Recordings of prayer calls</h1>" in recordings
    # Every fixed first part of an address in the section is kept from events.
    fixed = {str(p.pattern).split("/")[0] for p in urlpatterns}
    assert {part for part in fixed if part and "<" not in part and "." not in part} == (
        RESERVED_SLUGS)


def test_staff_cannot_give_an_event_the_address_of_a_page(staff_client):
    response = staff_client.post("/admin/events/event/add/", _admin_data(slug="recordings"))
    assert response.status_code == 200
    assert "is the address of another page of the site" in response.content.decode()
    assert not Event.objects.exists()


def test_a_sunday_night_call_out_west_is_listed_in_the_week_of_its_date(client, db,
                                                                        time_machine):
    time_machine.move_to(datetime(2027, 5, 5, 16, 0, tzinfo=UTC), tick=False)
    # 10 PM Pacific on Sunday 9 May is 1 AM on Monday 10 May in the site's time.
    make_event(title="Sunday night call", start=datetime(2027, 5, 9, 22, 0),
               time_zone="America/Los_Angeles")
    make_event(title="Monday morning call", start=datetime(2027, 5, 10, 7, 0))
    html = client.get("/events/").content.decode()
    assert (html.index("Week of May 3") < html.index("Sunday night call")
            < html.index("Week of May 10") < html.index("Monday morning call"))
    assert html.count("Week of May 3") == 1
