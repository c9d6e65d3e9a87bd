"""Pledges now belong to the partners app and states to the states app; the
tables stay where they are (records only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
        ('accounts', '0005_display_name_key'),
        ('states', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='home_state',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='residents', to='states.state'),
                ),
                migrations.DeleteModel(
                    name='PartnerPledge',
                ),
            ],
            database_operations=[],
        ),
    ]
