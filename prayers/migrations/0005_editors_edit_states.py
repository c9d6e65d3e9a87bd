"""Editors also keep the state pages: notes, calls and state prayers."""
from django.db import migrations

from library import editors

CODENAMES = ["change_state", "add_statecall", "change_statecall", "delete_statecall",
             "view_statecall"]


def grant(apps, schema_editor):
    editors.grant(apps, "prayers", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "prayers", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("prayers", "0004_state_notes_and_calls"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
