"""Calls saved before phone numbers became tap-to-call links are rendered again."""
from django.db import migrations

from library.text.markup import phone_links, render_markdown


def render_again(apps, schema_editor):
    StateCall = apps.get_model("states", "StateCall")
    for call in StateCall.objects.all():
        call.how_to_join_html = render_markdown(phone_links(call.how_to_join))
        call.save(update_fields=["how_to_join_html"])


class Migration(migrations.Migration):
    dependencies = [("states", "0003_reference_data")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
