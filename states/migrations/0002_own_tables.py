"""The state tables take this app's names, renamed in place, and their content
types move here with their ids, so comments, permissions and history follow."""
from django.db import migrations

from library.moves import mover

forward, backward = mover(models=["state", "statecall"], old_app="prayers", new_app="states")


class Migration(migrations.Migration):
    dependencies = [
        ("states", "0001_initial"),
        ("prayers", "0006_alter_prayer_state_delete_statecall_delete_state"),
        ("articles", "0004_alter_article_states"),
        ("accounts", "0006_alter_user_home_state_delete_partnerpledge"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="state", table=None),
        migrations.AlterModelTable(name="statecall", table=None),
        migrations.RunPython(forward, backward),
    ]
