"""States now belong to the states app (records only; the tables stay)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0003_search_vector'),
        ('states', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='article',
                    name='states',
                    field=models.ManyToManyField(blank=True, related_name='articles', to='states.state'),
                ),
            ],
            database_operations=[],
        ),
    ]
