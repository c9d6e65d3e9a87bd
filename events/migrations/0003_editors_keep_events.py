"""Editors keep the calls and gatherings as they kept the state calls: they add,
change and remove events and their recordings, and see how many asked for
reminders (never who)."""
from django.db import migrations

from library import editors

CODENAMES = ["add_event", "change_event", "delete_event", "view_event",
             "add_recording", "change_recording", "delete_recording", "view_recording",
             "view_reminder"]


def grant(apps, schema_editor):
    editors.grant(apps, "events", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "events", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("events", "0002_state_calls"), ("articles", "0002_editors_group")]

    operations = [migrations.RunPython(grant, revoke)]
