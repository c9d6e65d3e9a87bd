"""Prayer calls, gatherings, fasts and conferences; who asked to be reminded of
them and what they were told; recordings of past ones."""
import calendar
import re
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from library.text.markup import clean_plain_lines, clean_plain_text, phone_links, render_markdown

from .audio import sniff, validate_audio
from .zones import validate_zone, zone, zone_label

# Looking further ahead than this for a repeating event's dates is never needed.
LONGEST_RUN = 2000
# The fixed first parts of addresses under /events/ (events/urls.py): an event
# slugged so would be hidden behind those pages.
RESERVED_SLUGS = frozenset({"recordings", "reminders", "states"})


class EventQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(is_cancelled=False)

    def of_state(self, state):
        return self.filter(state=state)


def _parse_dates(text: str) -> list[date]:
    found = []
    for word in re.split(r"[\s,;]+", text or ""):
        if not word:
            continue
        try:
            found.append(date.fromisoformat(word))
        except ValueError:
            raise ValidationError(
                {"skipped_dates": f"“{word}” is not a date. Write each as YYYY-MM-DD, "
                                  "for example 2026-12-24."}) from None
    return sorted(set(found))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


class Event(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Prayer call"
        GATHERING = "gathering", "Gathering"
        FAST = "fast", "Fast"
        CONFERENCE = "conference", "Conference"

    class Repeat(models.TextChoices):
        NONE = "none", "Does not repeat"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month, on the same date"

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, blank=True,
                            help_text="The page's address; made from the title when empty.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CALL)
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="events",
                              help_text="Empty for the whole nation.")
    description = models.TextField(
        blank=True, help_text="Markdown: **bold**, _italic_, [link](https://…), - lists.")
    description_html = models.TextField(blank=True, editable=False)

    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_zone],
        help_text="The time zone the times below are in, e.g. America/New_York, "
                  "America/Chicago, America/Denver, America/Los_Angeles.")
    start_date = models.DateField()
    start_time = models.TimeField()
    end_date = models.DateField()
    end_time = models.TimeField()

    repeat = models.CharField(max_length=8, choices=Repeat.choices, default=Repeat.NONE)
    repeat_until = models.DateField(null=True, blank=True,
                                    help_text="The last date it may fall on.")
    repeat_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Or: how many times it happens in all.")
    skipped_dates = models.TextField(
        blank=True, help_text="Dates it does not happen, as YYYY-MM-DD, one a line.")

    address = models.TextField(blank=True, help_text="Where to gather in person.")
    phone = models.CharField(max_length=40, blank=True, help_text="A number to call in on.")
    access_code = models.CharField(max_length=40, blank=True,
                                   help_text="The code callers enter, if any.")
    stream_url = models.URLField(blank=True, help_text="A link to watch or listen live.")
    join_notes = models.TextField(
        blank=True, help_text="Anything else about joining. Markdown; phone numbers "
                              "become tap-to-call links.")
    join_notes_html = models.TextField(blank=True, editable=False)

    is_cancelled = models.BooleanField(default=False)
    # Moves on each change of time or cancellation, so those who asked to be
    # reminded are told of each change once.
    schedule_version = models.PositiveIntegerField(default=0, editable=False)
    state_call = models.OneToOneField(
        "states.StateCall", null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="event", help_text="The weekly state call this event was made from.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "start_time", "id"]
        indexes = [models.Index(fields=["state", "kind"], name="event_state_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date"))
                | models.Q(end_date=models.F("start_date"), end_time__gt=models.F("start_time")),
                name="event_ends_after_start"),
            models.CheckConstraint(
                condition=models.Q(repeat="none")
                | models.Q(repeat_until__isnull=False) | models.Q(repeat_count__isnull=False),
                name="event_repeat_has_an_end"),
            # RFC 5545 gives a rule one end, a date or a count: calendars refuse both.
            models.CheckConstraint(
                condition=models.Q(repeat_until__isnull=True)
                | models.Q(repeat_count__isnull=True),
                name="event_repeat_has_one_end"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = clean_plain_text(self.title)
        if not self.slug:
            self.slug = self._free_slug()
        self.description_html = render_markdown(self.description, rich=True)
        self.join_notes_html = render_markdown(phone_links(self.join_notes))
        self.address = clean_plain_lines(self.address)
        self.phone = clean_plain_text(self.phone)
        self.access_code = clean_plain_text(self.access_code)
        self.skipped_dates = "\n".join(d.isoformat() for d in _parse_dates(self.skipped_dates))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    # Checks and derived fields

    def clean(self):
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = [f"“{self.slug}” is the address of another page of the site. "
                              "Choose another, or leave it empty to make one from the title."]
        if self.time_zone:
            try:
                validate_zone(self.time_zone)
            except ValidationError as error:
                errors["time_zone"] = error.messages
        if None not in (self.start_date, self.start_time, self.end_date, self.end_time) and (
                (self.end_date, self.end_time) <= (self.start_date, self.start_time)):
            errors["end_time"] = ["The end must come after the start."]
        if self.repeat_until is not None and self.repeat_count is not None:
            errors["repeat_count"] = ["Give the last date or how many times it happens, "
                                      "not both: calendar programs take only one."]
        if self.repeat != self.Repeat.NONE:
            if self.repeat_until is None and self.repeat_count is None:
                errors["repeat_until"] = ["A repeating event needs an end: give the last "
                                          "date, or how many times it happens."]
            if self.repeat_until and self.start_date and self.repeat_until < self.start_date:
                errors["repeat_until"] = ["The last date comes before the first."]
            if self.repeat_count == 0:
                errors.setdefault("repeat_count", []).append("It must happen at least once.")
            if self.end_date and self.start_date and (self.end_date - self.start_date).days >= (
                    7 if self.repeat == self.Repeat.WEEKLY else 28):
                errors["end_date"] = ["A repeating event must end before it comes round again."]
        if self.repeat == self.Repeat.MONTHLY and self.start_date and self.start_date.day > 28:
            errors["start_date"] = ["A monthly event falls on a date every month has: "
                                    "the 1st to the 28th."]
        try:
            _parse_dates(self.skipped_dates)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def _free_slug(self) -> str:
        base = slugify(self.title)[:120] or "event"
        slug, n = base, 2
        while slug in RESERVED_SLUGS or Event.objects.filter(slug=slug).exclude(
                pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    # Time

    @property
    def zone(self):
        return zone(self.time_zone)

    @property
    def zone_label(self) -> str:
        return zone_label(self.time_zone)

    @property
    def duration(self) -> timedelta:
        return (datetime.combine(self.end_date, self.end_time)
                - datetime.combine(self.start_date, self.start_time))

    @property
    def duration_text(self) -> str:
        minutes = int(self.duration.total_seconds() // 60)
        if minutes % 60 == 0 and minutes < 48 * 60:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        if minutes < 48 * 60:
            return f"{minutes} minutes"
        return f"{self.duration.days} days"

    @property
    def skipped(self) -> list[date]:
        return _parse_dates(self.skipped_dates)

    @property
    def repeats(self) -> bool:
        return self.repeat != self.Repeat.NONE

    def nth_date(self, n: int) -> date:
        """The date of its `n`th time (from 0), skipped or not."""
        if self.repeat == self.Repeat.WEEKLY:
            return self.start_date + timedelta(days=7 * n)
        return _add_months(self.start_date, n)

    def _first_index_near(self, day: date) -> int:
        """An index of a date at or before `day` (or 0), to start counting from."""
        if not self.repeats or day <= self.start_date:
            return 0
        if self.repeat == self.Repeat.WEEKLY:
            return max(0, (day - self.start_date).days // 7 - 1)
        return max(0, (day.year - self.start_date.year) * 12 + day.month
                   - self.start_date.month - 1)

    def occurrences(self, *, after=None, limit: int = 10, with_skipped: bool = False):
        """The next `limit` times it happens as (start, end), aware datetimes in its
        own zone, whose end is later than `after` (a moment; default: from the start).
        The wall-clock time stays put across daylight-saving changes."""
        found, tz = [], self.zone
        skipped = set(self.skipped)
        last = 1 if not self.repeats else min(
            self.repeat_count if self.repeat_count is not None else LONGEST_RUN, LONGEST_RUN)
        n = self._first_index_near(after.astimezone(tz).date()) if after else 0
        while n < last and len(found) < limit:
            day = self.nth_date(n)
            if self.repeat_until and day > self.repeat_until:
                break
            n += 1
            if day in skipped and not with_skipped:
                continue
            start = datetime.combine(day, self.start_time, tzinfo=tz)
            end = datetime.combine(day + (self.end_date - self.start_date), self.end_time,
                                   tzinfo=tz)
            if after is None or end > after:
                found.append((start, end))
        return found

    def next_occurrence(self, now=None):
        found = self.occurrences(after=now or timezone.now(), limit=1)
        return found[0] if found else None

    def happening_at(self, moment) -> bool:
        found = self.occurrences(after=moment, limit=1)
        return bool(found) and found[0][0] <= moment < found[0][1]

    def first_start(self):
        return datetime.combine(self.start_date, self.start_time, tzinfo=self.zone)

    def when_text(self) -> str:
        """How it repeats, in words: "Every Tuesday at 7:00 PM Central time"."""
        at = time.strftime(self.start_time, "%I:%M %p").lstrip("0")
        if self.repeat == self.Repeat.WEEKLY:
            return f"Every {calendar.day_name[self.start_date.weekday()]} at {at} {self.zone_label}"
        if self.repeat == self.Repeat.MONTHLY:
            day = self.start_date.day
            suffix = ("th" if 10 <= day % 100 <= 20
                      else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th"))
            return f"Every month on the {day}{suffix} at {at} {self.zone_label}"
        return f"{self.start_date:%A, %B} {self.start_date.day} at {at} {self.zone_label}"

    # Joining

    @property
    def phone_href(self) -> str:
        digits = re.sub(r"\D", "", self.phone)
        if not digits:
            return ""
        if len(digits) == 10:
            digits = "1" + digits
        href = f"tel:+{digits}"
        code = re.sub(r"[^0-9*#]", "", self.access_code)
        # Two pauses, then the code: phones dial it once the call is answered.
        return f"{href},,{code}" if code else href


class Reminder(models.Model):
    """Someone asked to be reminded of an event: a member, or a reader by email once
    they confirmed from their inbox. `occurrence` is one date's start; empty, every
    date of a repeating event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.CASCADE, related_name="event_reminders")
    email = models.EmailField(blank=True)
    occurrence = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The event's schedule_version this reader last heard of: a change after it is
    # told once (events.reminders.tell_changes).
    told_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False, email="")
                           | models.Q(member__isnull=True) & ~models.Q(email="")),
                name="reminder_member_or_email"),
            models.UniqueConstraint(fields=["event", "member"],
                                    condition=models.Q(member__isnull=False),
                                    name="reminder_once_per_member"),
            models.UniqueConstraint(fields=["event", "email"], condition=~models.Q(email=""),
                                    name="reminder_once_per_email"),
        ]

    def __str__(self):
        return f"Reminder of {self.event}"

    @property
    def address(self) -> str:
        return self.member.email if self.member_id else self.email


class ReminderNotice(models.Model):
    """What a reminder was told: "24h:<start>", "1h:<start>" or "change:<version>",
    each once."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="notices")
    key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["reminder", "key"],
                                               name="reminder_notice_once")]

    def __str__(self):
        return self.key


def recording_path(recording, filename: str) -> str:
    extension = ".m4a" if recording.content_type == "audio/mp4" else ".mp3"
    return f"recordings/{recording.event.slug}-{recording.occurrence_date:%Y-%m-%d}{extension}"


class RecordingQuerySet(models.QuerySet):
    def listed(self):
        return self.select_related("event").order_by("-occurrence_date", "-id")


class Recording(models.Model):
    """The audio of one past date of an event, played on the page and offered as a
    podcast episode."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recordings")
    occurrence_date = models.DateField(help_text="The date it was recorded, in the event's "
                                                 "time zone.")
    title = models.CharField(max_length=160, blank=True,
                             help_text="Empty: the event's title and the date.")
    notes = models.TextField(blank=True, help_text="A few words on what was prayed for.")
    audio = models.FileField(upload_to=recording_path, validators=[validate_audio],
                             help_text="MP3 or M4A.")
    size = models.PositiveBigIntegerField(default=0, editable=False)
    content_type = models.CharField(max_length=20, default="audio/mpeg", editable=False)
    published_at = models.DateTimeField(default=timezone.now)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["-occurrence_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "occurrence_date"],
                                               name="recording_once_per_date")]

    def __str__(self):
        return self.display_title

    def save(self, *args, **kwargs):
        self.title = clean_plain_text(self.title)
        if self.audio and not self.audio._committed:
            self.audio.seek(0)
            self.content_type = sniff(self.audio.read(16)) or "audio/mpeg"
            self.audio.seek(0)
            self.size = self.audio.size
        super().save(*args, **kwargs)

    def clean(self):
        if self.event_id and self.occurrence_date:
            dates = {start.date() for start, _ in self.event.occurrences(
                after=datetime.combine(self.occurrence_date, time.min, tzinfo=self.event.zone),
                limit=1)}
            if self.occurrence_date not in dates:
                raise ValidationError({"occurrence_date": "The event did not happen on this "
                                                          "date."})
            start = datetime.combine(self.occurrence_date, self.event.start_time,
                                     tzinfo=self.event.zone)
            if start > timezone.now():
                raise ValidationError({"occurrence_date": "Only a date that has passed can "
                                                          "have a recording."})

    @property
    def display_title(self) -> str:
        return self.title or f"{self.event.title}, {self.occurrence_date:%B} " \
                             f"{self.occurrence_date.day}, {self.occurrence_date.year}"
