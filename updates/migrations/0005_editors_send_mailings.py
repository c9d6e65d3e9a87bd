"""Editors write and send mailings to subscribers."""
from django.db import migrations

from library import editors

CODENAMES = ["view_mailing", "add_mailing", "change_mailing"]


def grant(apps, schema_editor):
    editors.grant(apps, "updates", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "updates", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("updates", "0004_mailings")]

    operations = [migrations.RunPython(grant, revoke)]
