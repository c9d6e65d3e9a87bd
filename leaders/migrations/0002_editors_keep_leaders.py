"""Editors keep the leaders (governors above all) and pin leaders of the day, and
moderate members' prayers for leaders as they moderate conversations."""
from django.db import migrations

from library import editors

CODENAMES = ["view_leader", "add_leader", "change_leader", "view_leaderturn",
             "add_leaderturn", "delete_leaderturn", "view_leaderprayer",
             "change_leaderprayer", "view_leaderprayerreport", "change_leaderprayerreport"]


def grant(apps, schema_editor):
    editors.grant(apps, "leaders", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "leaders", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("leaders", "0001_initial"), ("library", "0002_editors_see_mail")]

    operations = [migrations.RunPython(grant, revoke)]
