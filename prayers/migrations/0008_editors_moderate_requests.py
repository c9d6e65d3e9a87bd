"""Editors moderate the prayer wall as they moderate conversations: they may see and
change (approve, remove) requests, and see and decide on their reports."""
from django.db import migrations

from library import editors

CODENAMES = ["view_prayerrequest", "change_prayerrequest", "view_prayerreport",
             "change_prayerreport"]


def grant(apps, schema_editor):
    editors.grant(apps, "prayers", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "prayers", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("prayers", "0007_prayer_requests")]

    operations = [migrations.RunPython(grant, revoke)]
