"""States and their calls now belong to the states app (records only; the tables
stay, and are renamed by states 0002)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_alter_user_home_state_delete_partnerpledge'),
        ('articles', '0004_alter_article_states'),
        ('prayers', '0005_editors_edit_states'),
        ('states', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='prayer',
                    name='state',
                    field=models.ForeignKey(blank=True, help_text='For a standalone prompt on a state page.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='prayers', to='states.state'),
                ),
                migrations.DeleteModel(
                    name='StateCall',
                ),
                migrations.DeleteModel(
                    name='State',
                ),
            ],
            database_operations=[],
        ),
    ]
