"""Render every stored Markdown text again with today's cleaning (after the
sanitiser, Markdown or intercessors.markup changed), and say what changed.
Safe to run again: a text whose rendering is the same is not written."""
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from intercessors import pagecache
from intercessors.markup import phone_links, render_markdown
from prayers.updates import refresh_updates


def _rich(text):
    return render_markdown(text, rich=True)


# Each stored rendering: model, its Markdown, its HTML, how it is rendered, which rows.
STORED = [
    ("articles.Article", "body", "body_html", _rich, {}),
    ("intercessors.SitePage", "body", "body_html", _rich, {}),
    ("states.State", "note", "note_html", _rich, {}),
    ("states.StateCall", "how_to_join", "how_to_join_html",
     lambda text: render_markdown(phone_links(text)), {}),
    ("comments.Comment", "body", "body_html", render_markdown, {}),
    ("prayers.Prayer", "text", "body_html", render_markdown, {"kind": "request"}),
    ("prayers.PrayerUpdate", "text", "body_html", render_markdown, {}),
    ("updates.Mailing", "body", "body_html", render_markdown, {}),
]
BATCH = 1000


class Command(BaseCommand):
    help = "Render every stored Markdown text again with today's sanitiser."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would change; write nothing.")

    def handle(self, *args, dry_run=False, **options):
        changed_any = False
        for label, source, target, render, rows in STORED:
            model = apps.get_model(label)
            read = changed = 0
            batch = []
            updated_prayers = set()
            fields = ["pk", source, target]
            if label == "prayers.PrayerUpdate":
                fields.append("prayer")
            queryset = model.objects.filter(**rows).order_by("pk").only(*fields)
            for obj in queryset.iterator(chunk_size=BATCH):
                read += 1
                html = render(getattr(obj, source))
                if html == getattr(obj, target):
                    continue
                changed += 1
                setattr(obj, target, html)
                batch.append(obj)
                if label == "prayers.PrayerUpdate":
                    updated_prayers.add(obj.prayer_id)
                if len(batch) >= BATCH:
                    self._write(model, target, batch, dry_run)
                    batch = []
            self._write(model, target, batch, dry_run)
            if updated_prayers and not dry_run:
                # A prayer keeps its updates rendered together, and its answer.
                Prayer = apps.get_model("prayers.Prayer")
                for prayer in Prayer.objects.filter(pk__in=updated_prayers):
                    refresh_updates(prayer)
            changed_any |= bool(changed)
            self.stdout.write(f"{label}.{target}: {read:,} read, {changed:,} "
                              f"{'would change' if dry_run else 'changed'}")
        if changed_any and not dry_run:
            pagecache.retire()

    @staticmethod
    def _write(model, field, batch, dry_run):
        if batch and not dry_run:
            with transaction.atomic():
                model.objects.bulk_update(batch, [field])
