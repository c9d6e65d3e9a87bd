"""Editors moderate the conversation: they may see and change (approve, remove)
comments and see reports."""
from django.db import migrations

from library import editors

CODENAMES = ["view_comment", "change_comment", "view_commentreport"]


def grant(apps, schema_editor):
    editors.grant(apps, "comments", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "comments", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
