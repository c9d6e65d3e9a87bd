"""Load the leaders' data files (leaders/data/README.md): safe to run again."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leaders.services import LoadError, load_leaders


class Command(BaseCommand):
    help = ("Create and update leaders from JSON files of the public data, keyed by "
            "bioguide id; leaders of the same offices missing from them are marked as "
            "having left office. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON files: a list of leaders each")

    def handle(self, *args, **options):
        entries = []
        for name in options["files"]:
            entries += read_file(Path(name))
        try:
            counts = load_leaders(entries)
        except LoadError as error:
            raise CommandError(f"Nothing was changed. {error}") from None
        self.stdout.write(self.style.SUCCESS(
            f"Leaders: {counts['created']:,} created, "
            f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, "
            f"{counts['left']:,} marked as having left office."))


def read_file(path: Path) -> list[tuple[str, object]]:
    """Each entry of a file with where it is ("legislators.json, entry 12 (C000127)")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(
            f"Nothing was changed. {path} cannot be read: {error.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"Nothing was changed. {path} is not JSON: {error}.") from None
    if not isinstance(data, list):
        raise CommandError(f"Nothing was changed. {path} must hold a list of leaders.")
    found = []
    for number, raw in enumerate(data, start=1):
        who = ""
        if isinstance(raw, dict):
            who = str(raw.get("bioguide") or raw.get("name") or "")[:60]
        found.append((f"{path.name}, entry {number}" + (f" ({who})" if who else ""), raw))
    return found
