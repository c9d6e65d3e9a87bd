"""Render every stored Markdown text again with today's cleaning (after the
sanitiser, Markdown or library.text.markup changed), and say what changed.
Safe to run again: a text whose rendering is the same is not written.

What members wrote was checked for links when they wrote it (held for staff, or
refused in an update), so a new rendering that would give it more links than it
has is not written: such texts are named, for staff to look at, and keep the
rendering they have."""
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from library.pages import pagecache
from library.text.markup import count_links, phone_links, render_markdown
from prayers.followup import refresh_updates
from updates.mailings import render_body as render_letter


def _rich(text):
    return render_markdown(text, rich=True)


# Each stored rendering: model, its Markdown, its HTML, how it is rendered, which
# rows, and whether members wrote it.
STORED = [
    ("articles.Article", "body", "body_html", _rich, {}, False),
    ("intercessors.SitePage", "body", "body_html", _rich, {}, False),
    ("states.State", "note", "note_html", _rich, {}, False),
    ("states.StateCall", "how_to_join", "how_to_join_html",
     lambda text: render_markdown(phone_links(text)), {}, False),
    ("events.Event", "description", "description_html", _rich, {}, False),
    ("events.Event", "join_notes", "join_notes_html",
     lambda text: render_markdown(phone_links(text)), {}, False),
    ("comments.Comment", "body", "body_html", render_markdown, {}, True),
    ("prayers.Prayer", "text", "body_html", render_markdown, {"kind": "request"}, True),
    ("prayers.PrayerUpdate", "text", "body_html", render_markdown, {}, True),
    ("updates.Mailing", "body", "body_html", render_letter, {}, False),
]
BATCH = 1000


class Command(BaseCommand):
    help = "Render every stored Markdown text again with today's sanitiser."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would change; write nothing.")

    def handle(self, *args, dry_run=False, **options):
        changed_any = False
        for label, source, target, render, rows, members in STORED:
            model = apps.get_model(label)
            read = changed = 0
            batch, more_links = [], []
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
                if members and count_links(html) > count_links(getattr(obj, target)):
                    more_links.append(obj.pk)
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
            if more_links:
                shown = ", ".join(str(pk) for pk in more_links[:20])
                self.stdout.write(f"  {len(more_links):,} kept as they were: rendered again they "
                                  f"would carry links no one checked (ids {shown}"
                                  f"{', …' if len(more_links) > 20 else ''})")
        if changed_any and not dry_run:
            pagecache.retire()

    @staticmethod
    def _write(model, field, batch, dry_run):
        if batch and not dry_run:
            with transaction.atomic():
                model.objects.bulk_update(batch, [field])
