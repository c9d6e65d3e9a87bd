"""Editors tell news of our prayers and mark them answered: they may see, add and
delete prayer updates."""
from django.db import migrations

from library import editors

CODENAMES = ["view_prayerupdate", "add_prayerupdate", "delete_prayerupdate"]


def grant(apps, schema_editor):
    editors.grant(apps, "prayers", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "prayers", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("prayers", "0009_answers_updates_expiry")]

    operations = [migrations.RunPython(grant, revoke)]
