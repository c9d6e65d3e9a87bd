"""The 50 states and DC, and what the Editors group may do with state pages: already
there in a database that has run the earlier migrations, so this changes nothing
there; seed_demo runs it again to restore an emptied database."""
from django.db import migrations
from django.utils.text import slugify

from library import editors
from states.us_states import US_STATES

EDITOR_CODENAMES = ["view_state", "change_state", "add_statecall", "change_statecall",
                    "delete_statecall", "view_statecall"]


def load(apps, schema_editor):
    State = apps.get_model("states", "State")
    for code, name in US_STATES:
        State.objects.update_or_create(code=code, defaults={"name": name, "slug": slugify(name)})
    editors.grant(apps, "states", EDITOR_CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("states", "0002_own_tables"),
        ("articles", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
