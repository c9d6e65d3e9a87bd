"""Each weekly state call becomes a weekly event of its state, with everything it
held: title, weekday and time in its zone, length, how to join, and whether it was
active (a call no longer active becomes a cancelled event). The calls' table stays,
for servers of the previous release during a deploy; backwards, the events made
from calls go and the calls are as they were."""
from datetime import date, datetime, timedelta

from django.db import migrations
from django.utils.text import slugify

from library.text.markup import clean_plain_text, phone_links, render_markdown

# A repeating event needs an end: the calls run until the end of the year after next,
# and staff extend them in admin.
YEARS_AHEAD = 2


def _free_slug(Event, title: str, taken: set) -> str:
    base = slugify(title)[:120] or "prayer-call"
    slug, n = base, 2
    while slug in taken or Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def calls_to_events(apps, schema_editor):
    StateCall = apps.get_model("states", "StateCall")
    Event = apps.get_model("events", "Event")
    today = date.today()
    until = date(today.year + YEARS_AHEAD, 12, 31)
    taken = set()
    for call in StateCall.objects.select_related("state").order_by("pk"):
        if Event.objects.filter(state_call=call).exists():
            continue
        first = today + timedelta(days=(call.weekday - today.weekday()) % 7)
        start = datetime.combine(first, call.start_time)
        end = start + timedelta(minutes=call.duration_minutes)
        Event.objects.create(
            title=clean_plain_text(call.title), slug=_free_slug(Event, call.title, taken),
            kind="call", state=call.state, time_zone=call.time_zone,
            start_date=start.date(), start_time=start.time(),
            end_date=end.date(), end_time=end.time(),
            repeat="weekly", repeat_until=until,
            join_notes=call.how_to_join,
            join_notes_html=render_markdown(phone_links(call.how_to_join)),
            is_cancelled=not call.is_active, state_call=call,
        )


def events_to_calls(apps, schema_editor):
    apps.get_model("events", "Event").objects.filter(state_call__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("states", "0004_call_phone_links"),
    ]

    operations = [migrations.RunPython(calls_to_events, events_to_calls)]
