"""Partner pledges, moved from the accounts app. The table exists already: this
records the model here; 0002 renames the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_display_name_key'),
        ('states', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PartnerPledge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(editable=False, max_length=12, unique=True)),
                        ('first_name', models.CharField(max_length=100)),
                        ('last_name', models.CharField(max_length=100)),
                        ('email', models.EmailField(max_length=254)),
                        ('phone', models.CharField(blank=True, max_length=30)),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=9)),
                        ('frequency', models.CharField(choices=[('monthly', 'Monthly'), ('one_time', 'One time')], max_length=10)),
                        ('wants_emails', models.BooleanField(default=False, verbose_name='receive emails from the ministry')),
                        ('status', models.CharField(choices=[('new', 'New'), ('contacted', 'Contacted'), ('active', 'Active'), ('cancelled', 'Cancelled')], default='new', max_length=10)),
                        ('staff_note', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pledges', to=settings.AUTH_USER_MODEL)),
                        ('state', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pledges', to='states.state')),
                    ],
                    options={
                        'db_table': 'accounts_partnerpledge',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['email', 'created_at'], name='pledge_email_time_idx'), models.Index(fields=['status', 'frequency'], name='pledge_status_freq_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gte', 5), ('amount__lte', 100000)), name='pledge_amount_5_to_100000')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
