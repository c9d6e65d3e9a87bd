"""The weekly state calls become events with everything they held, and back: the
calls' table is untouched either way. An event whose rule had two ends keeps one."""
from datetime import date, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("events", "0001_initial")]
AFTER = [("events", "0002_state_calls")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_events(transactional_db):
    try:
        yield migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())


def test_state_calls_become_weekly_events_and_go_back(before_events):
    old = before_events
    State = old.get_model("states", "State")
    StateCall = old.get_model("states", "StateCall")
    texas = State.objects.get(code="TX")
    tuesday = StateCall.objects.create(
        state=texas, title="Texas Tuesday call", weekday=1, start_time=time(23, 30),
        duration_minutes=90, time_zone="America/Chicago",
        how_to_join="Dial 512-555-0199, code 44#", how_to_join_html="-")
    StateCall.objects.create(state=texas, title="Texas Tuesday call", weekday=4,
                             start_time=time(7, 0), time_zone="America/Chicago",
                             how_to_join="-", is_active=False)

    new = migrate(AFTER)
    Event = new.get_model("events", "Event")
    events = list(Event.objects.order_by("state_call_id"))
    assert [e.slug for e in events] == ["texas-tuesday-call", "texas-tuesday-call-2"]
    call = events[0]
    assert (call.title, call.kind, call.state_id, call.time_zone) == (
        "Texas Tuesday call", "call", texas.pk, "America/Chicago")
    assert (call.start_date.weekday(), call.start_time, call.end_time) == (1, time(23, 30),
                                                                           time(1, 0))
    assert (call.end_date - call.start_date).days == 1  # past midnight
    assert call.repeat == "weekly" and call.repeat_until is not None
    assert call.join_notes == "Dial 512-555-0199, code 44#"
    assert 'href="tel:+15125550199"' in call.join_notes_html
    assert not call.is_cancelled and events[1].is_cancelled
    assert call.state_call_id == tuesday.pk

    back = migrate(BEFORE)
    assert not back.get_model("events", "Event").objects.exists()
    assert back.get_model("states", "StateCall").objects.count() == 2


@pytest.fixture
def before_one_end(transactional_db):
    try:
        yield migrate([("events", "0003_editors_keep_events")])
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())


def test_an_event_with_two_ends_keeps_the_one_reached_first_and_goes_back(before_one_end):
    from django.db import IntegrityError, transaction

    Event = before_one_end.get_model("events", "Event")
    tuesday = dict(start_date=date(2027, 1, 5), start_time=time(19, 0),
                   end_date=date(2027, 1, 5), end_time=time(20, 0))
    Event.objects.create(title="Three Tuesdays", slug="three", repeat="weekly",
                         repeat_count=3, repeat_until=date(2027, 3, 30), **tuesday)
    Event.objects.create(title="Until the nineteenth", slug="until", repeat="monthly",
                         repeat_count=20, repeat_until=date(2027, 3, 19), **tuesday)
    Event.objects.create(title="Once", slug="once", repeat_count=2,
                         repeat_until=date(2027, 3, 1), **tuesday)

    Event = migrate([("events", "0004_event_repeat_has_one_end")]).get_model("events", "Event")
    ends = {e.slug: (e.repeat_count, e.repeat_until) for e in Event.objects.all()}
    assert ends == {"three": (3, None), "until": (None, date(2027, 3, 19)),
                    "once": (None, date(2027, 3, 1))}
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(slug="three").update(repeat_until=date(2027, 3, 30))

    Event = migrate([("events", "0003_editors_keep_events")]).get_model("events", "Event")
    Event.objects.filter(slug="three").update(repeat_until=date(2027, 3, 30))  # allowed again
    assert Event.objects.get(slug="three").repeat_until == date(2027, 3, 30)
