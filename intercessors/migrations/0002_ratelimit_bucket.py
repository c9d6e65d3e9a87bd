# Rate-limit windows counted in the database when no Redis is configured.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intercessors', '0001_cache_table'),
    ]

    operations = [
        migrations.CreateModel(
            name='RateLimitBucket',
            fields=[
                ('bucket', models.CharField(max_length=200, primary_key=True, serialize=False)),
                ('count', models.PositiveIntegerField(default=0)),
                ('expires', models.BigIntegerField(db_index=True, help_text='Unix time the window ends')),
            ],
            options={
                'db_table': 'intercessors_ratelimit',
            },
        ),
    ]
