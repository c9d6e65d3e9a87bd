"""Prayer prompts and the "I Prayed" marks that count them."""
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from library.rules import DELETED_MEMBER_NAME, published_q
from library.text.markup import clean_plain_text, html_to_text, shorten
from library.text.moderation import Moderated, ReportBase, Status

REQUEST_MAX_LENGTH = 1000
UPDATE_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 280
# An urgent request staff approved stays at the top of its lists this long.
URGENT_HOURS = 48
# A request stays on the wall this long after it was posted, updated or renewed.
WALL_DAYS = 30
# The wall's public requests, which its indexes cover: neither answered nor gone
# past their time (the expiry job sets `expired`; pages also compare `expires_at`).
ON_THE_WALL = Q(kind="request", status=Status.PUBLISHED, is_deleted=False, expired=False,
                answered_at__isnull=True)
ANSWERED = Q(kind="request", status=Status.PUBLISHED, is_deleted=False,
             answered_at__isnull=False)


# Written only by their services (prayers.services, prayers.followup), with update(),
# or by the database itself (the search vector: prayers.search_index).
SERVICE_FIELDS = {"prayed_count", "expires_at", "expired", "reminded_for", "answered_at",
                  "answer_html", "updates_html", "daily_mail", "search_vector",
                  "notes_public", "urgent_asked_at", "urgent_at"}


def urgent_since(moment=None):
    """Requests staff marked urgent after this moment are urgent now."""
    return (moment or timezone.now()) - timedelta(hours=URGENT_HOURS)


class Category(models.TextChoices):
    """What a request is about, chosen by its requester (or none). Where it is for
    is its state or the nation; praise is what answered requests already are."""

    HEALTH = "health", "Health"
    FAMILY = "family", "Family"
    SALVATION = "salvation", "Salvation"
    PROVISION = "provision", "Provision and work"
    COMFORT = "comfort", "Comfort and grief"
    OTHER = "other", "Other"


def wall_until(moment=None):
    """When a request posted, updated or renewed at `moment` (now) leaves the wall."""
    return (moment or timezone.now()) + timedelta(days=WALL_DAYS)


class PrayerQuerySet(models.QuerySet):
    def visible(self):
        """Prayers the public may see and mark: published standalone prompts and
        members' requests (neither held, removed nor deleted), and prompts of
        published posts."""
        return self.filter(
            Q(article__isnull=True, published_at__lte=timezone.now())
            | published_q("article__"),
            status=Status.PUBLISHED, is_deleted=False,
        )

    def standalone(self):
        """Prompts our team wrote on their own, not for a post."""
        return self.filter(article__isnull=True, kind=Prayer.Kind.PROMPT)

    def requests(self):
        return self.filter(kind=Prayer.Kind.REQUEST)

    def on_the_wall(self):
        """Members' requests anyone may see, with what their cards show."""
        now = timezone.now()
        return self.filter(ON_THE_WALL, published_at__lte=now, expires_at__gt=now
                           ).select_related("state", "author").defer("search_vector")

    def answered(self):
        """Members' requests God answered, as their requesters told it."""
        return self.filter(ANSWERED).select_related("state", "author").defer("search_vector")

    def findable(self):
        """Requests a search of the wall may find: those on the wall and the answered
        ones; never one held, removed, deleted or gone past its time."""
        now = timezone.now()
        return self.filter(Q(ON_THE_WALL, published_at__lte=now, expires_at__gt=now)
                           | ANSWERED).select_related("state", "author").defer("search_vector")

    def urgent_first(self, *order):
        """In `order`, after the requests staff marked urgent in the last URGENT_HOURS
        hours (newest urgent first). Most of the time there is none: then `order` alone,
        which the wall's indexes give without a sort."""
        urgent = urgent_ids()
        if not urgent:
            return self.order_by(*order)
        return self.annotate(
            urgent_from=models.Case(models.When(pk__in=urgent, then="urgent_at"),
                                    default=None, output_field=models.DateTimeField()),
        ).order_by(models.F("urgent_from").desc(nulls_last=True), *order)


# Requests urgent at once, at the most: more than a wall's page could head.
URGENT_MOST = 100


def urgent_ids() -> list[int]:
    """The requests staff marked urgent in the last URGENT_HOURS hours, newest first:
    read from their own small index (urgent_at_idx) however large the wall, rather than
    filtered out of a walk along the wall's own order."""
    return list(Prayer.objects.filter(kind=Prayer.Kind.REQUEST, urgent_at__gt=urgent_since())
                .order_by("-urgent_at").values_list("pk", flat=True)[:URGENT_MOST])


class Prayer(Moderated):
    """A prayer members mark with "I Prayed": a prompt our team wrote (opening a post,
    on its own for a state, or for an elected leader: `leaders.Leader.prayer`) or a
    member's request on the prayer wall. Every one
    is counted by the same marks (PrayerMark) and service (prayers.services)."""

    class Kind(models.TextChoices):
        PROMPT = "prompt", "Prompt from our team"
        REQUEST = "request", "Request from a member"
        LEADER = "leader", "For a leader"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROMPT,
                            editable=False)
    text = models.TextField(
        "prayer",
        max_length=REQUEST_MAX_LENGTH,
        help_text="The prayer that opens the post, e.g. “Father, we pray that …”.",
    )
    # A member's request: its author (shown unless they asked not to be), its text
    # as Markdown in `text` and rendered by the one sanitiser here.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="prayer_requests",
    )
    anonymous = models.BooleanField(
        default=False, help_text="Shown as “A member in <state>”: the author only in admin.")
    category = models.CharField(
        max_length=10, choices=Category.choices, blank=True, default="", db_default="",
        help_text="What a member's request is about, for the wall's categories.")
    body_html = models.TextField(blank=True, editable=False)
    article = models.OneToOneField(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prayer",
    )
    state = models.ForeignKey(
        "states.State",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prayers",
        help_text="For a standalone prompt on a state page, or the state a request is for "
        "(none: for the nation).",
    )
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Standalone prompts appear from this time; a post's prompt follows its post.",
    )
    # Kept exact by prayers.services.mark_prayed, the only writer of marks.
    prayed_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A request's time on the wall (prayers.followup): it leaves at `expires_at`,
    # WALL_DAYS after it was posted, updated or renewed, and its requester is
    # reminded once for each such moment (`reminded_for`).
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    expired = models.BooleanField(default=False, editable=False)
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    # Answered: when, and the praise note (the answer's update, rendered).
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answer_html = models.TextField(blank=True, editable=False)
    # Every update, rendered in order, so no page needs a query to show them.
    updates_html = models.TextField(blank=True, editable=False)
    # The requester's daily word of how many prayed, for this request.
    daily_mail = models.BooleanField(
        "daily email of prayers", default=True,
        help_text="The requester hears once a day how many prayed, unless they turned it off.")
    # A request's words, answer note and state, for the wall's search on PostgreSQL:
    # written by the database itself (prayers.search_index).
    search_vector = SearchVectorField(null=True, editable=False)

    # Notes left with "I Prayed" (PrayerNote): the requester always sees them; others
    # only when the requester chose to show them.
    notes_public = models.BooleanField(
        "show notes to everyone", default=False, db_default=False,
        help_text="Notes left with “I Prayed” are shown to every reader, not only the "
        "requester.")
    # Urgent: the requester asks (urgent_asked_at), staff approve (urgent_at); from then
    # it heads its lists for URGENT_HOURS hours and subscribers who chose it hear of it.
    urgent_asked_at = models.DateTimeField("urgent asked", null=True, blank=True,
                                           editable=False)
    urgent_at = models.DateTimeField("urgent approved", null=True, blank=True, editable=False)

    objects = PrayerQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="prayer_state_pub_idx"),
            models.Index(fields=["author", "created_at"], name="prayer_author_time_idx"),
            # The wall, newest first and least prayed for first, in all and per state.
            models.Index(fields=["-published_at", "-id"], name="wall_new_idx",
                         condition=ON_THE_WALL),
            models.Index(fields=["state", "-published_at", "-id"], name="wall_state_new_idx",
                         condition=ON_THE_WALL),
            models.Index(fields=["prayed_count", "-published_at", "-id"],
                         name="wall_least_idx", condition=ON_THE_WALL),
            models.Index(fields=["state", "prayed_count", "-published_at", "-id"],
                         name="wall_state_least_idx", condition=ON_THE_WALL),
            # A category of the wall, newest first (with a state: the state's index).
            models.Index(fields=["category", "-published_at", "-id"],
                         name="wall_category_new_idx", condition=ON_THE_WALL),
            models.Index(fields=["status", "created_at"], name="prayer_status_idx",
                         condition=Q(kind="request")),
            models.Index(fields=["-answered_at", "-id"], name="wall_answered_idx",
                         condition=ANSWERED),
            # Urgent requests: staff's queue, and the mail to subscribers.
            models.Index(fields=["urgent_asked_at"], name="urgent_asked_idx",
                         condition=Q(kind="request", urgent_asked_at__isnull=False,
                                     urgent_at__isnull=True)),
            models.Index(fields=["urgent_at"], name="urgent_at_idx",
                         condition=Q(kind="request", urgent_at__isnull=False)),
            # What the expiry job and the reminders look for.
            models.Index(fields=["expires_at"], name="wall_expiry_idx",
                         condition=Q(kind="request", expired=False)),
        ]

    def __str__(self):
        return shorten(self.plain_text.replace("\n", " "), 80)

    def save(self, *args, **kwargs):
        if self.kind != self.Kind.REQUEST:
            self.text = clean_plain_text(self.text)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The counter belongs to mark_prayed, and a request's time on the wall
            # and its answer to prayers.followup; a form saving a prayer loaded a
            # moment ago must not write back older values of them.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in SERVICE_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def is_request(self) -> bool:
        return self.kind == self.Kind.REQUEST

    @property
    def author_label(self) -> str:
        """Who asked, as readers see it: never the author of an anonymous request."""
        if self.anonymous:
            return f"A member in {self.state.name}" if self.state_id else "A member"
        return self.author.public_name if self.author_id else DELETED_MEMBER_NAME

    @property
    def heading(self) -> str:
        """A request's own page is headed by who asks, kindly; never only by a state."""
        if not (self.anonymous or self.author_id):
            return "A prayer request"
        return f"{self.author_label} {'asked' if self.is_answered else 'asks'} for prayer"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_urgent(self) -> bool:
        """Staff marked it urgent, and it is still within its URGENT_HOURS hours."""
        return self.urgent_at is not None and self.urgent_at > urgent_since()

    @property
    def urgent_until(self):
        return self.urgent_at + timedelta(hours=URGENT_HOURS) if self.urgent_at else None

    @property
    def urgent_waiting(self) -> bool:
        """The requester asked for it to be urgent; staff have not yet approved it."""
        return self.urgent_asked_at is not None and self.urgent_at is None

    @property
    def is_on_the_wall(self) -> bool:
        return (self.is_request and not self.expired and not self.is_answered
                and self.expires_at is not None and self.expires_at > timezone.now())

    @property
    def plain_text(self) -> str:
        return html_to_text(self.body_html) if self.is_request else self.text

    @property
    def page_scope(self) -> str:
        """What a change to this prayer request's page retires (library.pages.pagecache)."""
        return f"prayer:{self.pk}"

    def get_absolute_url(self):
        if self.is_request:
            return reverse("prayers:request", args=[self.pk])
        if self.article_id:
            return self.article.get_absolute_url() + f"#prayer-{self.pk}"
        if self.kind == self.Kind.LEADER:
            return self.leader.get_absolute_url() + f"#prayer-{self.pk}"
        if self.state_id:
            return self.state.get_absolute_url() + f"#prayer-{self.pk}"
        return reverse("home") + f"#prayer-{self.pk}"


class PrayerMark(models.Model):
    """One member, or one email subscriber (who prayed from the inbox), prayed one
    prayer. The unique constraints are what keep the counter exact when the same
    person clicks many times at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="prayer_marks",
    )
    subscriber = models.ForeignKey(
        "updates.Subscriber", null=True, blank=True, on_delete=models.CASCADE,
        related_name="prayer_marks",
    )
    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="marks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "prayer"], name="one_mark_per_member"),
            models.UniqueConstraint(fields=["subscriber", "prayer"],
                                    condition=Q(subscriber__isnull=False),
                                    name="one_mark_per_subscriber"),
            models.CheckConstraint(
                condition=Q(user__isnull=False, subscriber__isnull=True)
                | Q(user__isnull=True, subscriber__isnull=False),
                name="mark_by_member_or_subscriber"),
        ]
        indexes = [models.Index(fields=["prayer", "created_at"], name="mark_prayer_time_idx"),
                   # The week's marks, counted per prayer from the index alone (the
                   # posts most prayed this week, the map's week).
                   models.Index(fields=["created_at", "prayer"], name="mark_time_prayer_idx"),
                   # A member's own prayers, newest first ("My prayers").
                   models.Index(fields=["user", "-created_at", "-id"], name="mark_user_time_idx")]

    def __str__(self):
        return f"{self.user_id} prayed {self.prayer_id}"


class PrayerUpdate(models.Model):
    """What the requester (or, for our own prayers, staff) later told of a prayer:
    news, or the answer with its praise note. Written by prayers.followup only."""

    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("update", max_length=UPDATE_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    answered = models.BooleanField(
        "this prayer was answered", default=False,
        help_text="Marks the prayer answered, with this as its praise note, and tells "
        "everyone who prayed.")
    # Answers only: everyone who prayed is told a batch of marks at a time
    # (prayers.followup.tell_answered): the last mark told, and when all were.
    told_upto = models.BigIntegerField(default=0, editable=False)
    told_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["prayer", "created_at"], name="update_prayer_idx"),
            models.Index(fields=["created_at"], name="update_untold_idx",
                         condition=Q(answered=True, told_at__isnull=True)),
        ]

    def __str__(self):
        return shorten(html_to_text(self.body_html) or self.text, 80)


class PrayerNoteQuerySet(models.QuerySet):
    def shown(self):
        """Notes readers may see (the requester, or everyone when they chose so)."""
        return self.filter(status=Status.PUBLISHED, is_deleted=False)


class PrayerNote(Moderated):
    """A short word a member leaves on a request with their "I Prayed": one per member
    per request, moderated like every member's text (library.text.moderation)."""

    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="prayer_notes")
    text = models.TextField("note", max_length=NOTE_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the requester's daily mail carried it (prayers.followup): each note once,
    # a note staff approved later in the next day's mail.
    told_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PrayerNoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "“praying for you” note"
        constraints = [models.UniqueConstraint(fields=["prayer", "author"],
                                               name="one_note_per_member")]
        indexes = [models.Index(fields=["prayer", "created_at"], name="note_prayer_idx"),
                   models.Index(fields=["author", "created_at"], name="note_author_idx"),
                   models.Index(fields=["status", "created_at"], name="note_status_idx"),
                   models.Index(fields=["created_at"], name="note_untold_idx",
                                condition=Q(told_at__isnull=True, status=Status.PUBLISHED,
                                            is_deleted=False))]

    def __str__(self):
        return shorten(html_to_text(self.body_html) or self.text, 80)

    @property
    def author_label(self) -> str:
        return self.author.public_name if self.author_id else DELETED_MEMBER_NAME

    def get_absolute_url(self):
        return self.prayer.get_absolute_url() + f"#note-{self.pk}"


class PrayerNoteReport(ReportBase):
    """A member's report of a note, with why."""

    ITEM_FIELD = "note"

    note = models.ForeignKey(PrayerNote, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prayer_note_reports"
    )

    class Meta(ReportBase.Meta):
        verbose_name = "note report"
        constraints = [
            models.UniqueConstraint(
                fields=["note", "reporter"], name="one_open_note_report_per_member",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"],
                                name="note_report_open_idx")]


class PrayedDigest(models.Model):
    """The requester's daily word of prayers, for one day: the row is written in the
    same transaction as the mail, so no day is told twice."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    day = models.DateField()
    prayers = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "day"],
                                               name="one_digest_per_member_day")]

    def __str__(self):
        return f"Digest for {self.member_id} on {self.day}"


class PrayerRequest(Prayer):
    """Members' requests, for their own screens in admin."""

    class Meta:
        proxy = True
        verbose_name = "prayer request"


class PrayerReport(ReportBase):
    """A member's report of a prayer request, with why."""

    ITEM_FIELD = "prayer"

    prayer = models.ForeignKey(Prayer, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prayer_reports"
    )

    class Meta(ReportBase.Meta):
        verbose_name = "prayer request report"
        constraints = [
            models.UniqueConstraint(
                fields=["prayer", "reporter"], name="one_open_prayer_report_per_member",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"],
                                name="prayer_report_open_idx")]

    def __str__(self):
        return f"Report on prayer request {self.prayer_id}"
