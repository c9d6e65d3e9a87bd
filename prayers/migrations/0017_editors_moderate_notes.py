"""Editors moderate notes as they moderate requests. Reference data: `seed_demo` loads
it again into an emptied database (REFERENCE_MIGRATIONS)."""
from django.db import migrations

from library import editors

CODENAMES = ["view_prayernote", "change_prayernote", "view_prayernotereport",
             "change_prayernotereport"]


def grant(apps, schema_editor):
    editors.grant(apps, "prayers", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "prayers", CODENAMES)


class Migration(migrations.Migration):

    dependencies = [
        ("prayers", "0016_categories"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
