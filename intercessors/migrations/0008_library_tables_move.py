"""The outbox, suppressed addresses and rate-limit windows now belong to the library
app (records only: the tables stay, see library 0001)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("intercessors", "0007_outbox_batches_and_suppression"),
        ("library", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="outboxmessage", name="member"),
                migrations.DeleteModel(name="RateLimitBucket"),
                migrations.DeleteModel(name="SuppressedAddress"),
                migrations.DeleteModel(name="OutboxMessage"),
            ],
            database_operations=[],
        ),
    ]
