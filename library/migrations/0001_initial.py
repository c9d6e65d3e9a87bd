"""The library's tables, which the site's package made (`intercessors_…`), become
the library's records: the tables and their rows stay as they are, and their
content types move here with their ids, so permissions and admin history follow."""
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from library.moves import mover

forward, backward = mover(models=["ratelimitbucket", "suppressedaddress", "outboxmessage"],
                          old_app="intercessors", new_app="library")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("intercessors", "0007_outbox_batches_and_suppression"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                migrations.CreateModel(
                    name='SuppressedAddress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.CharField(max_length=254)),
                        ('reason', models.CharField(choices=[('bounced', 'Bounced for good'), ('complained', 'Marked as spam'), ('rejected', 'Refused by the provider'), ('staff', 'Added by staff')], max_length=12)),
                        ('detail', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'suppressed address',
                        'verbose_name_plural': 'suppressed addresses',
                        'db_table': 'intercessors_suppressedaddress',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='one_suppression_each')],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(help_text="Which of the site's mails this is.", max_length=100)),
                        ('to', models.CharField(max_length=254, verbose_name='recipient')),
                        ('from_email', models.CharField(max_length=254)),
                        ('subject', models.CharField(max_length=300)),
                        ('body', models.TextField(blank=True)),
                        ('html', models.TextField(blank=True)),
                        ('headers', models.JSONField(blank=True, default=dict)),
                        ('message_id', models.CharField(max_length=255, unique=True, verbose_name='Message-ID')),
                        ('keeps', models.CharField(choices=[('everything', 'Everything'), ('envelope', 'Recipient, kind and status'), ('status', 'Kind and status')], default='everything', max_length=10)),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('sent', 'Sent'), ('failed', 'Failed')], default='waiting', max_length=10)),
                        ('tries', models.PositiveIntegerField(default=0)),
                        ('next_try_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('held_by', models.CharField(blank=True, editable=False, max_length=16)),
                        ('held_until', models.DateTimeField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('batch_key', models.CharField(blank=True, default='', editable=False, max_length=100)),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'mail',
                        'verbose_name_plural': 'mail',
                        'db_table': 'intercessors_outboxmessage',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('status', 'waiting')), fields=['next_try_at'], name='outbox_waiting'), models.Index(fields=['member', 'status'], name='outbox_member')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('batch_key', ''), _negated=True), fields=('batch_key',), name='one_copy_per_batch_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
