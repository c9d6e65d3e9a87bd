"""Editors set when the daily email and the weekly digest go, and see how each
mailing went; the list of subscribers stays with administrators."""
from django.db import migrations

from library import editors

CODENAMES = ["view_timetable", "change_timetable", "view_edition"]


def grant(apps, schema_editor):
    editors.grant(apps, "updates", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "updates", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("updates", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
