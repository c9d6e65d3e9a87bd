"""Load the leaders' data files (leaders/data/README.md): safe to run again."""
from django.core.management.base import BaseCommand, CommandError

from leaders.services import LoadError, load_leaders, read_data_file


class Command(BaseCommand):
    help = ("Create and update leaders from JSON files of the public data, keyed by "
            "bioguide id; leaders of the same offices missing from them are marked as "
            "having left office. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON files: a list of leaders each")

    def handle(self, *args, **options):
        try:
            entries = [entry for name in options["files"] for entry in read_data_file(name)]
            counts = load_leaders(entries)
        except LoadError as error:
            raise CommandError(f"Nothing was changed. {error}") from None
        self.stdout.write(self.style.SUCCESS(
            f"Leaders: {counts['created']:,} created, {counts['updated']:,} updated, "
            f"{counts['unchanged']:,} unchanged, {counts['left']:,} marked as having left "
            "office."))
