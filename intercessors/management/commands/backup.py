"""`manage.py backup [--to DIR]`: one dated archive of the database, the media and a
manifest (intercessors.backups). docs/deploy.md, "Backups", says what to do with it."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intercessors.backups import BackupError, write_backup


class Command(BaseCommand):
    help = "Write one dated archive of the database and the media, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", type=Path,
                            help="the folder to write the archive into (default: backups)")

    def handle(self, *args, to, **options):
        try:
            path, manifest = write_backup(to)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
        size = sum(entry["size"] for entry in manifest["media"])
        self.stdout.write(f"{path}: {manifest['engine']} database ({counts}); "
                          f"{len(manifest['media'])} media files, {size} bytes.")
