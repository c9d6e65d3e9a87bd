"""Editors read the mail they send to many (mailings and their test copies, the
daily email, the weekly digest, state alerts) in the outbox, read-only: a
permission of its own, since the permission to view mail shows every mail
(OutboxMessage.objects.visible_to)."""
from django.db import migrations

from library import editors

CODENAMES = ["view_bulk_mail"]


def grant(apps, schema_editor):
    editors.grant(apps, "library", CODENAMES)


def revoke(apps, schema_editor):
    editors.revoke(apps, "library", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="outboxmessage",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("view_bulk_mail",
                                 "Can view mail sent to many (mailings, prayer updates)")],
                "verbose_name": "mail",
                "verbose_name_plural": "mail",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
