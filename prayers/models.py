"""US states, prayer prompts and the "I Prayed" marks that count them."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from intercessors.markup import clean_plain_text, render_markdown


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
        self.how_to_join_html = render_markdown(self.how_to_join)
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


class PrayerQuerySet(models.QuerySet):
    def visible(self):
        """Prayers the public may see and mark: published standalone prompts,
        and prompts of published posts."""
        now = timezone.now()
        return self.filter(
            Q(article__isnull=True, published_at__lte=now)
            | Q(article__status="published", article__published_at__lte=now)
        )

    def standalone(self):
        return self.filter(article__isnull=True)


class Prayer(models.Model):
    text = models.TextField(
        "prayer",
        max_length=1000,
        help_text="The prayer that opens the post, e.g. “Father, we pray that …”.",
    )
    article = models.OneToOneField(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prayer",
    )
    state = models.ForeignKey(
        State,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prayers",
        help_text="For a standalone prompt on a state page.",
    )
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Standalone prompts appear from this time; a post's prompt follows its post.",
    )
    # Kept exact by prayers.services.mark_prayed, the only writer of marks.
    prayed_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PrayerQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="prayer_state_pub_idx"),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def save(self, *args, **kwargs):
        self.text = clean_plain_text(self.text)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The counter belongs to mark_prayed; a form saving a prayer loaded
            # a moment ago must not write back an older count.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "prayed_count"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.article_id:
            return self.article.get_absolute_url() + f"#prayer-{self.pk}"
        if self.state_id:
            return self.state.get_absolute_url() + f"#prayer-{self.pk}"
        return reverse("home") + f"#prayer-{self.pk}"


class PrayerMark(models.Model):
    """One member prayed one prayer. The unique constraint is what keeps the
    counter exact when the same member clicks many times at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prayer_marks"
    )
    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="marks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "prayer"], name="one_mark_per_member")
        ]
        indexes = [models.Index(fields=["prayer", "created_at"], name="mark_prayer_time_idx")]

    def __str__(self):
        return f"{self.user_id} prayed {self.prayer_id}"
