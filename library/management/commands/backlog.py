"""What the background workers still have to do: for monitoring and for people."""
import json

from django.core.management.base import BaseCommand
from django.db.models import Min
from django.utils import timezone
from django_q.models import OrmQ

from library.models import OutboxMessage


def backlog() -> dict:
    now = timezone.now()
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.WAITING)
    oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "jobs_queued": OrmQ.objects.filter(lock__lte=now).count(),
        "jobs_running": OrmQ.objects.filter(lock__gt=now).count(),
        "mail_waiting": waiting.count(),
        "mail_waiting_oldest_seconds": round((now - oldest).total_seconds()) if oldest else 0,
        "mail_failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
    }


class Command(BaseCommand):
    help = "Print the jobs and mail still waiting for the workers (--json for monitoring)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        counts = backlog()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            f"Jobs queued: {counts['jobs_queued']} (running: {counts['jobs_running']})\n"
            f"Mail waiting: {counts['mail_waiting']} (oldest: "
            f"{counts['mail_waiting_oldest_seconds']} s)\n"
            f"Mail failed: {counts['mail_failed']}"
        )
