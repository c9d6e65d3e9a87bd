"""`manage.py release [--check]`: check the migrations not yet applied, apply them and
collect the static files (library.releases; docs/deploy.md, "Upgrading")."""
from django.core.management.base import BaseCommand, CommandError

from library.releases import ReleaseError, check, check_lines, release


class Command(BaseCommand):
    help = ("Refuse migrations that would break the code still serving (dropped or renamed "
            "columns and tables, NOT NULL without a default), then migrate and collect the "
            "static files, keeping the previous release's.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", dest="only_check",
                            help="only check the migrations not yet applied (for CI)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, only_check, database, **options):
        try:
            if only_check:
                lines = check_lines(check(database=database))
            else:
                lines = release(database=database)
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        for line in lines:
            self.stdout.write(line)
