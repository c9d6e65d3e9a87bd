"""Editors moderate reports where they read them: they may decide on them."""
from django.db import migrations

from library import editors


def grant(apps, schema_editor):
    editors.grant(apps, "comments", ["change_commentreport"])


def revoke(apps, schema_editor):
    editors.revoke(apps, "comments", ["change_commentreport"])


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_report_reasons_and_resolutions")]

    operations = [migrations.RunPython(grant, revoke)]
