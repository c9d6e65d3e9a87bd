from django.core.management.base import BaseCommand

from library.rules import counted
from updates import editions
from updates.models import Edition


class Command(BaseCommand):
    help = ("Send the daily email or the weekly digest now, as the schedule does: what "
            "was published since the last one, to everyone who chose it. Run again for "
            "the same period, it sends nothing new. (State alerts go by the schedule.)")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[Edition.Kind.DAILY, Edition.Kind.WEEKLY])

    def handle(self, *args, kind, **options):
        label = Edition.Kind(kind).label.lower()
        if not editions.audience(kind).exists():
            self.stdout.write(f"Nobody gets the {label} yet, so nothing was sent; what is "
                              "new waits for the first one.")
            return
        edition = editions.send(kind)
        if edition is None:
            self.stdout.write("Nothing new to send since the last one.")
            return
        mails = editions.fan_out()
        self.stdout.write(f"{edition}: {counted(mails, 'mail')} recorded; the job worker "
                          "sends them.")
