"""The "Editors" group: staff who publish prayer posts and prayer prompts,
with only the permissions that work needs."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "articles": ["add_article", "change_article", "delete_article", "view_article",
                 "add_topic", "change_topic", "view_topic"],
    "prayers": ["add_prayer", "change_prayer", "delete_prayer", "view_prayer", "view_state"],
}


def create_editors(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    for app_label in EDITOR_PERMISSIONS:
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("prayers", "0003_prayers_and_marks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
