"""The pledge table takes this app's name, renamed in place, and its content type
moves here with its id, so staff permissions and history follow."""
from django.db import migrations

from library.moves import mover

forward, backward = mover(models=["partnerpledge"], old_app="accounts", new_app="partners")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("accounts", "0006_alter_user_home_state_delete_partnerpledge"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="partnerpledge", table=None),
        migrations.RunPython(forward, backward),
    ]
