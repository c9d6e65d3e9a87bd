"""A repeating event ends by a last date or by a number of times, never both: RFC
5545 gives a rule one end, and calendar programs refuse a feed whose rule has both.
An event that had both keeps the end it reached first, so its dates stay the same;
going back leaves the events as they are."""
from datetime import timedelta

from django.db import migrations, models


def _last_by_count(event):
    """The date of its last time when counted, as Event.occurrences() counts."""
    n = event.repeat_count - 1
    if event.repeat == "weekly":
        return event.start_date + timedelta(days=7 * n)
    month = event.start_date.month - 1 + n
    return event.start_date.replace(year=event.start_date.year + month // 12,
                                    month=month % 12 + 1)


def keep_one_end(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    both = Event.objects.filter(repeat_until__isnull=False, repeat_count__isnull=False)
    for event in both.only("pk", "repeat", "start_date", "repeat_until", "repeat_count"):
        try:
            count_first = (event.repeat != "none"
                           and _last_by_count(event) <= event.repeat_until)
        except (ValueError, OverflowError):  # a date no calendar has: the date stands
            count_first = False
        Event.objects.filter(pk=event.pk).update(
            **({"repeat_until": None} if count_first else {"repeat_count": None}))


class Migration(migrations.Migration):

    dependencies = [("events", "0003_editors_keep_events")]

    operations = [
        migrations.RunPython(keep_one_end, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(("repeat_until__isnull", True),
                                   ("repeat_count__isnull", True), _connector="OR"),
                name="event_repeat_has_one_end"),
        ),
    ]
