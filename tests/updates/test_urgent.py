"""Urgent requests by email: subscribers who chose them hear of each urgent request
once (the nation's, and their state's), in at most one mail a day; a request marked
urgent after the day's mail waits for the next day's."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from library.models import OutboxMessage
from prayers.models import Prayer
from prayers.services import approve_urgent
from states.models import State
from tests.factories import make_member, make_request
from updates import urgent
from updates.models import Subscriber

EASTERN = ZoneInfo("America/New_York")


@pytest.fixture
def texas(db):
    return State.objects.get(code="TX")


def mails(to=None):
    found = OutboxMessage.objects.filter(kind="updates/email/urgent")
    return found.filter(to=to) if to else found


def subscriber(email, **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


def urgent_request(text, state=None, anonymous=False, name="Naomi Vale"):
    prayer = make_request(author=make_member(display_name=name), text=text, state=state,
                          anonymous=anonymous, urgent_asked_at=timezone.now())
    assert approve_urgent(Prayer.objects.filter(pk=prayer.pk)) == [prayer.pk]
    return prayer


def test_each_subscriber_hears_of_their_urgent_requests_once_a_day(texas, time_machine):
    time_machine.move_to(datetime(2026, 6, 8, 9, 0, tzinfo=EASTERN), tick=False)
    texan = subscriber("texan@example.org", urgent=True, state=texas)
    subscriber("ohioan@example.org", urgent=True, state=State.objects.get(code="OH"))
    subscriber("daily@example.org", daily=True, state=texas)  # did not choose urgent
    subscriber("gone@example.org", urgent=True, left_at=timezone.now())
    nation = urgent_request("Pray for the flood crews along the river")
    for_texas = urgent_request("Pray for my father in intensive care", state=texas,
                               anonymous=True, name="Lydia Hart")
    assert urgent.send_urgent() == 2
    assert set(mails().values_list("to", flat=True)) == {"texan@example.org",
                                                         "ohioan@example.org"}
    texas_mail, ohio_mail = mails("texan@example.org").get(), mails("ohioan@example.org").get()
    assert "flood crews" in texas_mail.body and "intensive care" in texas_mail.body
    assert "flood crews" in ohio_mail.body and "intensive care" not in ohio_mail.body
    assert "Naomi Vale" in texas_mail.body  # the nation's, asked by name
    assert "A member in Texas" in texas_mail.body and "Lydia Hart" not in texas_mail.body
    assert "Lydia Hart" not in texas_mail.html
    assert texas_mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert urgent.send_urgent() == 0  # each run after tells no one twice

    # Another urgent request the same day waits for tomorrow's mail.
    time_machine.shift(timedelta(hours=3))
    later = urgent_request("Pray for the search for a missing hiker", state=texas)
    assert urgent.send_urgent() == 0
    assert mails().count() == 2
    time_machine.move_to(datetime(2026, 6, 9, 0, 5, tzinfo=EASTERN), tick=False)
    # Only Texas hears of a request for Texas: Ohio is not even looked at.
    assert list(urgent.waiting(timezone.localdate())) == [texan]
    assert urgent.send_urgent() == 1
    tomorrow = mails("texan@example.org").order_by("-id").first()
    assert "missing hiker" in tomorrow.body
    assert "flood crews" not in tomorrow.body and "intensive care" not in tomorrow.body
    assert mails("ohioan@example.org").count() == 1
    assert later.pk and nation.pk and for_texas.pk


def test_past_its_48_hours_an_urgent_request_is_not_mailed(texas, time_machine):
    time_machine.move_to(datetime(2026, 6, 8, 9, 0, tzinfo=EASTERN), tick=False)
    urgent_request("Pray for the storm shelter tonight")
    time_machine.shift(timedelta(hours=49))
    subscriber("late@example.org", urgent=True)
    assert urgent.send_urgent() == 0


def test_urgent_requests_are_a_choice_of_their_own_off_by_default(texas, db):
    form = Client().get("/updates/").content.decode()
    assert 'name="urgent"' in form and 'name="urgent" checked' not in form
    response = Client().post("/updates/", {"email": "new@example.org", "urgent": "on"})
    assert response.status_code == 302
    added = Subscriber.objects.get(email="new@example.org")
    assert added.urgent and not (added.daily or added.weekly)
    member = make_member()
    client = Client()
    client.force_login(member)
    client.post("/updates/mine/", {"updates-urgent": "on", "updates-state": "texas"})
    chosen = Subscriber.objects.get(member=member)
    assert chosen.urgent and chosen.state == texas
    client.post("/updates/mine/", {"updates-daily": "on"})
    chosen.refresh_from_db()
    assert not chosen.urgent and chosen.daily
