"""Load the 50 states and DC; a fixed list the site depends on."""
from django.db import migrations
from django.utils.text import slugify

from states.us_states import US_STATES  # the list moved with the State model


def load_states(apps, schema_editor):
    State = apps.get_model("prayers", "State")
    for code, name in US_STATES:
        State.objects.update_or_create(code=code, defaults={"name": name, "slug": slugify(name)})


class Migration(migrations.Migration):
    dependencies = [("prayers", "0001_initial")]

    operations = [migrations.RunPython(load_states, migrations.RunPython.noop)]
