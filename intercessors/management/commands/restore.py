"""`manage.py restore FILE`: an archive of `manage.py backup` back into an empty
database and the media storage, then the key tables counted against its manifest."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intercessors.management.commands.backup import KEY_TABLES
from library.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Restore an archive of `manage.py backup` into the configured database, which "
            "must be empty (no tables: a new database, not migrated), and the media storage.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result = restore_backup(file, counted=KEY_TABLES)
        except BackupError as error:
            raise CommandError(str(error)) from error
        expected = result.manifest["counts"]
        self.stdout.write(f"Restored the backup of {result.manifest['created']}:")
        for name, n in result.counts.items():
            note = "" if n == expected.get(name) else f"  (the manifest says {expected.get(name)})"
            self.stdout.write(f"  {name}: {n}{note}")
        self.stdout.write(f"  media files: {result.media_written} written, "
                          f"{result.media_kept} already there with the same bytes")
        if not result.matches:
            raise CommandError("The counts differ from the manifest: do not use this copy.")
        self.stdout.write("The counts match the manifest. Run `manage.py migrate` if this "
                          "code is newer than the backup.")
