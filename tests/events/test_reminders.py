"""Reminders: 24 hours and 1 hour before, once each; a changed time or a cancellation
told once; a reader by email confirms first and stops with one click; a past event
gets a clear answer."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from events import clock, reminders, services
from events.models import Reminder, ReminderNotice
from library.mail.outbox import deliver_waiting
from library.models import OutboxMessage
from tests.factories import make_event


@pytest.fixture
def test_clock(settings):
    settings.EVENTS_TEST_CLOCK = True
    return clock.set_now


def _subjects(to):
    return [m.subject for m in OutboxMessage.objects.filter(to=to).order_by("id")]


def test_a_member_is_reminded_a_day_and_an_hour_before_each_once(member, test_clock):
    call = make_event(title="National call", phone="202-555-0143", access_code="7",
                      repeat="weekly")
    start = call.occurrences(limit=1)[0][0]
    services.remind_member(member=member, event=call)

    test_clock(start - timedelta(hours=30))
    assert reminders.send_due() == 0
    test_clock(start - timedelta(hours=23, minutes=59))
    assert reminders.send_due() == 1
    assert reminders.send_due() == 0  # once
    test_clock(start - timedelta(minutes=59))
    assert reminders.send_due() == 1
    test_clock(start - timedelta(minutes=30))
    assert reminders.send_due() == 0
    assert _subjects(member.email) == ["[Intercessors] Tomorrow: National call",
                                       "[Intercessors] In one hour: National call"]
    body = OutboxMessage.objects.filter(to=member.email).first().body
    assert "tel:+12025550143,,7" in body and "/events/reminders/stop/" in body
    assert ReminderNotice.objects.count() == 2


def test_one_date_only_is_reminded_of_that_date(member, test_clock):
    call = make_event(repeat="weekly")
    first, second = [s for s, _ in call.occurrences(limit=2)]
    services.remind_member(member=member, event=call, occurrence=second)
    test_clock(first - timedelta(minutes=30))
    assert reminders.send_due() == 0
    test_clock(second - timedelta(minutes=30))
    assert reminders.send_due() == 1


def test_a_change_of_time_and_a_cancellation_are_each_told_once(member, other_member,
                                                                 test_clock):
    call = make_event(title="National call", repeat="weekly")
    services.remind_member(member=member, event=call)
    call.start_time = call.start_time.replace(hour=20)
    call.end_time = call.end_time.replace(hour=21)
    call.save()
    services.event_saved(event=call, changed=["start_time", "end_time"])
    # Asking after the change: nothing to be told of it.
    services.remind_member(member=other_member, event=call)
    assert reminders.tell_changes() == 1
    assert reminders.tell_changes() == 0
    call.is_cancelled = True
    call.save()
    services.event_saved(event=call, changed=["is_cancelled"])
    assert reminders.tell_changes() == 2
    assert _subjects(member.email) == ["[Intercessors] New time: National call",
                                       "[Intercessors] Cancelled: National call"]
    body = OutboxMessage.objects.filter(to=member.email).first().body
    assert "at 8:00 PM Eastern time" in body
    # A cancelled event reminds no one.
    test_clock(call.occurrences(limit=1)[0][0] - timedelta(minutes=30))
    assert reminders.send_due() == 0


def test_a_change_of_words_tells_no_one(member):
    call = make_event(repeat="weekly")
    services.remind_member(member=member, event=call)
    services.event_saved(event=call, changed=["description"])
    assert reminders.tell_changes() == 0


def test_a_past_event_cannot_be_reminded_of(member, client):
    past = make_event(title="Last week's gathering",
                      start=datetime.now() - timedelta(days=7))
    with pytest.raises(services.CannotRemind, match="already taken place"):
        services.remind_member(member=member, event=past)
    client.force_login(member)
    response = client.post(f"/events/{past.slug}/remind/", {"occurrence": ""})
    assert response.status_code == 400
    assert "already taken place" in response.content.decode()
    assert not Reminder.objects.exists()


def test_a_reader_by_email_confirms_then_stops_with_one_click(client, db, test_clock):
    call = make_event(title="National call", repeat="weekly")
    response = client.post(f"/events/{call.slug}/remind/", {"occurrence": "",
                                                            "email": "ruth@example.org"})
    assert response.status_code == 302
    deliver_waiting()
    (letter,) = mail.outbox
    assert letter.subject == "[Intercessors] Please confirm your reminders of National call"
    confirm = re.search(r"http://\S+/events/reminders/confirm/\S+/", letter.body).group(0)
    path = confirm.split("//", 1)[1].split("/", 1)[1]
    test_clock(call.occurrences(limit=1)[0][0] - timedelta(minutes=30))
    assert reminders.send_due() == 0  # not confirmed yet
    assert "Confirm my reminders" in client.get("/" + path).content.decode()
    assert Reminder.objects.get().confirmed_at is None  # a GET changes nothing
    client.post("/" + path)
    assert Reminder.objects.get().confirmed_at is not None
    assert reminders.send_due() == 1
    reminder = Reminder.objects.get()
    stop = f"/events/reminders/stop/{services.stop_token(reminder)}/"
    assert "Stop my reminders" in client.get(stop).content.decode()
    # As a mail program sends it (RFC 8058): no CSRF token, no cookie.
    response = client.post(stop, {"List-Unsubscribe": "One-Click"})
    assert "Your reminders are stopped" in response.content.decode()
    assert not Reminder.objects.exists()
    assert "are stopped" in client.get(stop).content.decode()


def test_a_guest_must_give_an_email_and_gets_the_form_back(client, db):
    call = make_event(repeat="weekly")
    response = client.post(f"/events/{call.slug}/remind/", {"occurrence": "",
                                                            "email": "not an address"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="not an address"' in html and "Enter a valid email address" in html
    assert not Reminder.objects.exists()


def test_a_member_stops_from_the_page(client, member):
    call = make_event(repeat="weekly")
    services.remind_member(member=member, event=call)
    client.force_login(member)
    assert "Stop my reminders" in client.get(call.get_absolute_url()).content.decode()
    client.post(f"/events/{call.slug}/remind/stop/")
    assert not Reminder.objects.exists()


def test_a_forged_link_is_refused(client, db):
    assert client.get("/events/reminders/stop/abc/").status_code == 400
    assert client.post("/events/reminders/confirm/abc/").status_code == 400


def test_the_test_clock_is_off_in_the_site(settings, db):
    settings.EVENTS_TEST_CLOCK = False
    clock.set_now(timezone.now() - timedelta(days=300))
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_a_deleted_account_leaves_no_reminders(member):
    from accounts.services import delete_account

    services.remind_member(member=member, event=make_event(repeat="weekly"))
    delete_account(user=member)
    assert not Reminder.objects.exists()


def _move_to_8pm(call):
    call.start_time = call.start_time.replace(hour=20)
    call.end_time = call.end_time.replace(hour=21)
    call.save()
    services.event_saved(event=call, changed=["start_time", "end_time"])


def test_a_date_asked_for_before_a_move_and_confirmed_after_it_follows_the_move(client, db,
                                                                               test_clock):
    call = make_event(title="National call", repeat="weekly")
    second = call.occurrences(limit=2)[1][0]
    services.remind_by_email(email="ruth@example.org", event=call, occurrence=second)
    _move_to_8pm(call)
    reminder = Reminder.objects.get()
    token = signing.dumps(reminder.pk, salt=services.CONFIRM_SALT)
    assert client.post(f"/events/reminders/confirm/{token}/").status_code == 200
    # Confirmed after the move: told of it, and their date moves with it.
    assert reminders.tell_changes() == 1
    moved = call.occurrences(limit=2)[1][0]
    assert moved.hour == 20 and moved.date() == second.date()
    test_clock(moved - timedelta(minutes=30))
    assert reminders.send_due() == 1
    assert _subjects("ruth@example.org") == [
        "[Intercessors] Please confirm your reminders of National call",
        "[Intercessors] New time: National call", "[Intercessors] In one hour: National call"]
    told = OutboxMessage.objects.get(subject__startswith="[Intercessors] New time").body
    assert "The date you asked to be reminded of is now:" in told and "8:00 PM" in told


def test_asking_again_after_a_move_is_not_told_of_it(db):
    call = make_event(title="National call", repeat="weekly")
    services.remind_by_email(email="ruth@example.org", event=call)
    _move_to_8pm(call)
    services.remind_by_email(email="ruth@example.org", event=call)  # from the page as it is
    services.confirm(Reminder.objects.select_related("event").get())
    assert reminders.tell_changes() == 0


def test_a_date_no_longer_among_the_dates_ends_its_reminder_once_told(member, test_clock):
    call = make_event(title="National call", repeat="weekly", repeat_count=4)
    starts = [start for start, _ in call.occurrences(limit=4)]
    services.remind_member(member=member, event=call, occurrence=starts[3])
    call.repeat_count = 2
    call.save()
    services.event_saved(event=call, changed=["repeat_count"])
    assert reminders.tell_changes() == 1
    assert reminders.tell_changes() == 0
    # Never turned into a reminder of every date: it is over.
    assert not Reminder.objects.exists()
    test_clock(starts[1] - timedelta(minutes=30))
    assert reminders.send_due() == 0
    (told,) = OutboxMessage.objects.filter(to=member.email)
    assert told.subject == "[Intercessors] New time: National call"
    assert "you will get no more reminders of it" in told.body
    assert "/events/reminders/stop/" not in told.body


def test_a_date_in_the_hour_repeated_in_autumn_is_asked_for_and_reminded_of(member,
                                                                            test_clock):
    # 1:30 AM in New York comes twice on Sunday 7 November 2027; the call is at the first.
    call = make_event(title="Night watch", start=datetime(2027, 10, 31, 1, 30),
                      repeat="weekly", repeat_count=3)
    sunday = call.occurrences(limit=2)[1][0]
    assert (sunday.date(), sunday.astimezone(UTC).hour) == (date(2027, 11, 7), 5)
    test_clock(datetime(2027, 11, 1, 12, 0, tzinfo=UTC))
    as_sent = datetime.fromisoformat(sunday.isoformat())  # what the page's button posts
    services.remind_member(member=member, event=call, occurrence=as_sent)
    test_clock(datetime(2027, 11, 7, 5, 0, tzinfo=UTC))  # half an hour before
    assert reminders.send_due() == 1
    assert _subjects(member.email) == ["[Intercessors] In one hour: Night watch"]
