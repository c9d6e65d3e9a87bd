"""The "Editors" group: staff who publish prayer posts and prayer prompts,
with only the permissions that work needs."""
from django.db import migrations

from library import editors

EDITOR_PERMISSIONS = {
    "articles": ["add_article", "change_article", "delete_article", "view_article",
                 "add_topic", "change_topic", "view_topic"],
    "prayers": ["add_prayer", "change_prayer", "delete_prayer", "view_prayer", "view_state"],
}


def create_editors(apps, schema_editor):
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        editors.grant(apps, app_label, codenames)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=editors.GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("prayers", "0003_prayers_and_marks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
