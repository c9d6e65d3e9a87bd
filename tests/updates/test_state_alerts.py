"""State alerts: subscribers who chose a state hear of posts about it, new requests
on its wall and tomorrow's prayer call, in at most one mail a day."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from library.models import OutboxMessage
from states.models import State
from tests.factories import make_article, make_event, make_member, make_request
from tests.mailbox import delivered
from updates import editions
from updates.models import Subscriber, Timetable

EASTERN = ZoneInfo("America/New_York")


@pytest.fixture
def texas(db):
    return State.objects.get(code="TX")


def alerts():
    return OutboxMessage.objects.filter(kind="updates/email/state")


def texan(texas, email="texan@example.org"):
    return Subscriber.objects.create(email=email, state=texas, confirmed_at=timezone.now())


def test_a_post_requests_and_tomorrows_call_in_one_mail_a_day(texas, time_machine):
    time_machine.move_to(datetime(2026, 6, 8, 9, 0, tzinfo=EASTERN), tick=False)  # Monday
    Timetable.current()
    Timetable.objects.update(daily_at=time(6, 0))
    reader = texan(texas)
    Subscriber.objects.create(email="ohioan@example.org", confirmed_at=timezone.now(),
                              state=State.objects.get(code="OH"))
    post = make_article(title="Drought in the Panhandle",
                        published_at=timezone.now() - timedelta(hours=2))
    post.states.add(texas)
    make_article(title="Not about Texas", published_at=timezone.now() - timedelta(hours=2))
    asker = make_member()
    make_request(author=asker, state=texas, text="Rain for our ranch, please.",
                 anonymous=True, published_at=timezone.now() - timedelta(hours=1))
    make_request(author=asker, state=texas, text="An old one.",
                 published_at=timezone.now() - timedelta(days=3))
    make_event(title="Texas Tuesday prayer call", state=texas, repeat="weekly",
               start=datetime(2026, 6, 2, 19, 0), time_zone="America/Chicago",
               join_notes="Dial in.")
    editions.send_due()
    (message,) = [m for m in delivered() if m.to == [reader.email]]
    assert "Praying for Texas: the prayer call is tomorrow" in message.subject
    body = message.body
    assert "TOMORROW: TEXAS TUESDAY PRAYER CALL" in body
    assert "DROUGHT IN THE PANHANDLE" in body and "Not about Texas" not in body
    assert "A member in Texas: Rain for our ranch" in body and "An old one" not in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # More news the same day waits for tomorrow's alert: at most one mail a day.
    time_machine.move_to(datetime(2026, 6, 8, 15, 0, tzinfo=EASTERN), tick=False)
    make_request(author=asker, state=texas, text="Pray for the fire crews.")
    editions.send_due()
    assert alerts().filter(to=reader.email).count() == 1
    time_machine.move_to(datetime(2026, 6, 9, 6, 5, tzinfo=EASTERN), tick=False)
    editions.send_due()
    latest = alerts().filter(to=reader.email).order_by("-id").first()
    assert alerts().filter(to=reader.email).count() == 2
    assert "fire crews" in latest.body and "Drought" not in latest.body


def test_no_alert_on_a_day_with_no_news_for_the_state(texas):
    texan(texas)
    editions.send_due()
    assert not alerts().exists()
