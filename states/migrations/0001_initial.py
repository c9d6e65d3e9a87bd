"""States, their notes and weekly calls, moved from the prayers app. Their tables
exist already: this records the models here; 0002 renames the tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('prayers', '0005_editors_edit_states'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='State',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=2, unique=True)),
                        ('name', models.CharField(max_length=40, unique=True)),
                        ('slug', models.SlugField(max_length=40, unique=True)),
                        ('note', models.TextField(blank=True, help_text='Focus for prayer in this state. Markdown: **bold**, _italic_, [link](https://…), - lists, > quotes.')),
                        ('note_html', models.TextField(blank=True, editable=False)),
                        ('coordinator_name', models.CharField(blank=True, max_length=100)),
                        ('coordinator_contact', models.CharField(blank=True, help_text='How to reach the coordinator, shown as written.', max_length=200)),
                    ],
                    options={
                        'ordering': ['name'],
                        'db_table': 'prayers_state',
                    },
                ),
                migrations.CreateModel(
                    name='StateCall',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(help_text='e.g. Texas Tuesday prayer call', max_length=120)),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')])),
                        ('start_time', models.TimeField(help_text="Local time in the call's time zone.")),
                        ('duration_minutes', models.PositiveSmallIntegerField(default=60)),
                        ('time_zone', models.CharField(choices=[('America/New_York', 'Eastern'), ('America/Chicago', 'Central'), ('America/Denver', 'Mountain'), ('America/Phoenix', 'Mountain (Arizona, no daylight saving)'), ('America/Los_Angeles', 'Pacific'), ('America/Anchorage', 'Alaska'), ('Pacific/Honolulu', 'Hawaii')], max_length=40)),
                        ('how_to_join', models.TextField(help_text='Phone number, meeting link and any code. Markdown links are allowed.')),
                        ('how_to_join_html', models.TextField(default='', editable=False)),
                        ('is_active', models.BooleanField(default=True)),
                        ('state', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='states.state')),
                    ],
                    options={
                        'db_table': 'prayers_statecall',
                        'ordering': ['weekday', 'start_time'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('weekday__gte', 0), ('weekday__lte', 6)), name='call_weekday_0_to_6'), models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 5), ('duration_minutes__lte', 600)), name='call_duration_5_to_600')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
