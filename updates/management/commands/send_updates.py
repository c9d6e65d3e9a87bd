from django.core.management.base import BaseCommand

from updates import editions
from updates.models import Edition


class Command(BaseCommand):
    help = ("Send the daily email or the weekly digest now, as the schedule does: what "
            "was published since the last one, to everyone who chose it. Run again for "
            "the same period, it sends nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.value for k in Edition.Kind])

    def handle(self, *args, kind, **options):
        edition = editions.send(kind)
        if edition is None:
            self.stdout.write("Nothing new to send since the last one.")
            return
        mails = editions.fan_out()
        self.stdout.write(f"{edition}: {mails:,} mail(s) recorded; the job worker sends them.")
