"""US states: their pages' notes and coordinators, and their weekly prayer calls."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone

from library.text.markup import clean_plain_text, phone_links, render_markdown


class State(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    note = models.TextField(
        blank=True,
        help_text="Focus for prayer in this state. Markdown: **bold**, _italic_, "
        "[link](https://…), - lists, > quotes.",
    )
    note_html = models.TextField(blank=True, editable=False)
    coordinator_name = models.CharField(max_length=100, blank=True)
    coordinator_contact = models.CharField(
        max_length=200, blank=True, help_text="How to reach the coordinator, shown as written."
    )
    coordinator_email = models.EmailField(
        "coordinator's email address", max_length=254, blank=True, default="", db_default="",
        help_text="Where the form on the state's page sends readers' messages. Never shown "
        "on any page: readers write through the form, and the coordinator answers by "
        "replying. Leave empty and the page shows no form.",
    )
    comments = GenericRelation("comments.Comment")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.note_html = render_markdown(self.note, rich=True)
        self.coordinator_name = clean_plain_text(self.coordinator_name)
        self.coordinator_contact = clean_plain_text(self.coordinator_contact)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("states:detail", kwargs={"slug": self.slug})

    @property
    def coordinator_label(self) -> str:
        """Whom a reader writes to from the state's page, by name where staff gave one."""
        return self.coordinator_name or f"the {self.name} state coordinator"

    @property
    def page_scope(self) -> str:
        """What a change to this state's page, or its conversation, retires."""
        return f"state:{self.slug}"


US_TIME_ZONES = [
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Mountain (Arizona, no daylight saving)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
]


class StateCall(models.Model):
    """A recurring weekly prayer call for a state."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="calls")
    title = models.CharField(max_length=120, help_text="e.g. Texas Tuesday prayer call")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time in the call's time zone.")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    time_zone = models.CharField(max_length=40, choices=US_TIME_ZONES)
    how_to_join = models.TextField(
        help_text="Phone number, meeting link and any code. Markdown links are allowed."
    )
    how_to_join_html = models.TextField(editable=False, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="call_weekday_0_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="call_duration_5_to_600",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = clean_plain_text(self.title)
        # A phone number to join by is a tap-to-call link on a phone.
        self.how_to_join_html = render_markdown(phone_links(self.how_to_join))
        super().save(*args, **kwargs)

    def next_start(self, now=None):
        """The next time this call begins, in its own time zone."""
        zone = ZoneInfo(self.time_zone)
        now = (now or timezone.now()).astimezone(zone)
        days = (self.weekday - now.weekday()) % 7
        start = datetime.combine(now.date() + timedelta(days=days), self.start_time, tzinfo=zone)
        if start <= now:
            start = datetime.combine(
                now.date() + timedelta(days=days + 7), self.start_time, tzinfo=zone
            )
        return start
