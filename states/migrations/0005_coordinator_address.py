"""Where a state's page sends readers' messages for its coordinator (never shown)."""
from django.db import migrations, models

from articles import search_index
from prayers import search_index as wall_index


def drop_search_triggers(apps, schema_editor):
    search_index.drop_triggers(schema_editor)
    wall_index.drop_triggers(schema_editor)


def create_search_triggers(apps, schema_editor):
    search_index.create(schema_editor)
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL's were never dropped
        wall_index.create(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_read_days'),
        ('prayers', '0016_categories'),
        ('states', '0004_call_phone_links'),
    ]

    # SQLite rebuilds the states table to add the column: the search triggers of the
    # posts and of the wall, which read it, step aside meanwhile (articles.search_index,
    # prayers.search_index).
    operations = [
        migrations.RunPython(drop_search_triggers, create_search_triggers),
        migrations.AddField(
            model_name='state',
            name='coordinator_email',
            field=models.EmailField(blank=True, db_default='', default='', help_text="Where the form on the state's page sends readers' messages. Never shown on any page: readers write through the form, and the coordinator answers by replying. Leave empty and the page shows no form.", max_length=254, verbose_name="coordinator's email address"),
        ),
        migrations.RunPython(create_search_triggers, drop_search_triggers),
    ]
