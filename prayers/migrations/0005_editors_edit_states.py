"""Editors also keep the state pages: notes, calls and state prayers."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["change_state", "add_statecall", "change_statecall", "delete_statecall",
             "view_statecall"]


def grant(apps, schema_editor):
    config = apps.get_app_config("prayers")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="prayers", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="prayers", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("prayers", "0004_state_notes_and_calls"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
