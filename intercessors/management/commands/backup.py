"""`manage.py backup [--to DIR]`: one dated archive of the database, the media and a
manifest (library.backups). docs/deploy.md, "Backups", says what to do with it."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from library.backups import BackupError, write_backup

# The tables whose counts the manifest keeps and a restore checks: what readers and
# members would miss. (name, model, None or (field, value))
KEY_TABLES = [
    ("posts", "articles.Article", None),
    ("prayers", "prayers.Prayer", ("kind", "prompt")),
    ("prayer requests", "prayers.Prayer", ("kind", "request")),
    ("marks", "prayers.PrayerMark", None),
    ("comments", "comments.Comment", None),
    ("subscribers", "updates.Subscriber", None),
    ("members", "accounts.User", None),
]


class Command(BaseCommand):
    help = "Write one dated archive of the database and the media, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", type=Path,
                            help="the folder to write the archive into (default: backups)")

    def handle(self, *args, to, **options):
        try:
            path, manifest = write_backup(to, counted=KEY_TABLES)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
        size = sum(entry["size"] for entry in manifest["media"])
        self.stdout.write(f"{path}: {manifest['engine']} database ({counts}); "
                          f"{len(manifest['media'])} media files, {size} bytes.")
