"""Elected leaders (the Administration, Congress, governors), the turns of the
leaders of the day, and members' written prayers for a leader."""
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from library.rules import DELETED_MEMBER_NAME
from library.text.markup import html_to_text, shorten
from library.text.moderation import Moderated, Reason, ReportBase

PRAYER_MAX_LENGTH = 500
# The places that send a delegate to the House but are not states.
AREAS = {"AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands",
         "PR": "Puerto Rico", "VI": "U.S. Virgin Islands"}


class Office(models.TextChoices):
    PRESIDENT = "president", "President"
    VICE_PRESIDENT = "vice_president", "Vice President"
    SENATOR = "senator", "Senator"
    REPRESENTATIVE = "representative", "Representative"
    DELEGATE = "delegate", "Delegate"
    GOVERNOR = "governor", "Governor"


ADMINISTRATION = (Office.PRESIDENT, Office.VICE_PRESIDENT)
HOUSE = (Office.REPRESENTATIVE, Office.DELEGATE)


def name_key(name: str) -> str:
    """A name as searches compare it: no accents, lower case ("Sánchez" is "sanchez")."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class LeaderQuerySet(models.QuerySet):
    def serving(self):
        return self.filter(left_office_at__isnull=True)


class Leader(models.Model):
    """One person in one office. Loaded from the public data by `bioguide` (or
    `govtrack`, for a President never in Congress) with `manage.py load_leaders`;
    governors are added by staff. A leader who leaves office is kept, with their
    prayers: `left_office_at` says when."""

    Office = Office

    name = models.CharField(max_length=120)
    first_name = models.CharField(max_length=60, blank=True)
    last_name = models.CharField(max_length=60, blank=True)
    name_key = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    slug = models.SlugField(max_length=140, unique=True)
    office = models.CharField(max_length=20, choices=Office.choices)
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="leaders")
    area = models.CharField(
        "state or territory code", max_length=2, blank=True,
        help_text="Two letters: a state's (TX) or a territory's (PR). Empty for the "
        "President and Vice President.")
    district = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A representative's district; empty for an "
        "at-large seat.")
    party = models.CharField(max_length=40, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    website = models.URLField(max_length=300, blank=True)
    phone = models.CharField("office phone", max_length=30, blank=True)
    contact_form = models.URLField("contact form", max_length=300, blank=True)
    bioguide = models.CharField(max_length=10, unique=True, null=True, blank=True,
                                help_text="Congress's id for this person (none for governors).")
    govtrack = models.PositiveIntegerField(unique=True, null=True, blank=True, editable=False)
    left_office_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when they no longer serve: their page and "
        "prayers stay, and no new prayers can be written.")
    # The prompt staff write and the "I Prayed" marks and count: one prayer each.
    prayer = models.OneToOneField("prayers.Prayer", on_delete=models.PROTECT,
                                  related_name="leader", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeaderQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["office", "area"], name="leader_office_area_idx"),
                   models.Index(fields=["state", "office"], name="leader_state_office_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(bioguide__isnull=True) | ~Q(bioguide=""),
                                   name="leader_bioguide_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} ({self.title})"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("leaders:detail", args=[self.slug])

    @property
    def page_scope(self) -> str:
        return f"leader:{self.slug}"

    @property
    def is_serving(self) -> bool:
        return self.left_office_at is None

    @property
    def area_name(self) -> str:
        if self.state_id:
            return self.state.name
        return AREAS.get(self.area, "")

    @property
    def title(self) -> str:
        """"Senator for Texas", "Representative for Ohio's 3rd district", "President"."""
        office = self.get_office_display()
        if self.office in ADMINISTRATION or not self.area_name:
            return office
        if self.office == Office.GOVERNOR:
            return f"Governor of {self.area_name}"
        if self.office == Office.REPRESENTATIVE:
            where = (f"{self.area_name}’s {ordinal(self.district)} district" if self.district
                     else f"{self.area_name} (at large)")
            return f"Representative for {where}"
        return f"{office} for {self.area_name}"

    @property
    def tel(self) -> str:
        """The phone as a tap-to-call address (tel:+12022243441), or ""."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}" if len(digits) == 11 else ""


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


class LeaderTurn(models.Model):
    """A leader's place among the leaders of one day. The turns of the current round
    say who has had theirs; a pinned turn is staff's choice for that day."""

    day = models.DateField()
    place = models.PositiveSmallIntegerField()
    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="turns")
    round = models.PositiveIntegerField(default=1, editable=False)
    pinned = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-day", "place"]
        constraints = [
            models.UniqueConstraint(fields=["day", "place"], name="one_leader_per_place"),
            models.UniqueConstraint(fields=["day", "leader"], name="one_turn_per_leader_day"),
        ]
        indexes = [models.Index(fields=["round", "leader"], name="turn_round_leader_idx")]

    def __str__(self):
        return f"{self.day}: {self.leader_id}"


class LeaderPrayerQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Moderated.Status.PUBLISHED, is_deleted=False)


class LeaderPrayer(Moderated):
    """A member's short written prayer for a leader, shown with their first name and
    the initial of their last, under the rules of everything members write."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="written_prayers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="leader_prayers")
    text = models.TextField(max_length=PRAYER_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LeaderPrayerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "prayer for a leader"
        verbose_name_plural = "prayers for leaders"
        indexes = [
            models.Index(fields=["leader", "-created_at", "-id"], name="leader_prayer_public_idx",
                         condition=Q(status="published", is_deleted=False)),
            models.Index(fields=["author", "created_at"], name="leader_prayer_author_idx"),
            models.Index(fields=["status", "created_at"], name="leader_prayer_status_idx"),
        ]

    def __str__(self):
        return shorten(html_to_text(self.body_html) or self.text, 80)

    @property
    def author_label(self) -> str:
        """First name and the initial of the last: "Grace M."."""
        return short_name(self.author)


def short_name(user) -> str:
    if user is None or user.deleted_at:
        return DELETED_MEMBER_NAME
    first, last = user.first_name.strip(), user.last_name.strip()
    if not first:
        words = user.public_name.split()
        first, last = words[0], (words[-1] if len(words) > 1 else "")
    initial = next((ch for ch in last if ch.isalpha()), "")
    return f"{first} {initial.upper()}." if initial else first


class LeaderReason(models.TextChoices):
    """Why a prayer for a leader is reported: the reasons of everything members write,
    and two of its own."""

    NAMES_OTHER = "person", "Names another person"
    ATTACKS = "attack", "Attacks the leader"
    UNKIND = Reason.UNKIND.value, Reason.UNKIND.label
    SPAM = Reason.SPAM.value, Reason.SPAM.label
    FALSE = Reason.FALSE.value, Reason.FALSE.label
    PRIVATE = Reason.PRIVATE.value, Reason.PRIVATE.label
    OTHER = Reason.OTHER.value, Reason.OTHER.label


class LeaderPrayerReport(ReportBase):
    """A member's report of a prayer for a leader, with why."""

    ITEM_FIELD = "prayer"
    Reason = LeaderReason

    reason = models.CharField(max_length=10, choices=LeaderReason.choices,
                              default=LeaderReason.OTHER)
    prayer = models.ForeignKey(LeaderPrayer, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="leader_prayer_reports")

    class Meta(ReportBase.Meta):
        verbose_name = "report of a prayer for a leader"
        constraints = [
            models.UniqueConstraint(
                fields=["prayer", "reporter"], name="one_open_leader_prayer_report",
                condition=Q(resolved_at__isnull=True)),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"],
                                name="leader_report_open_idx")]

    def __str__(self):
        return f"Report on prayer for a leader {self.prayer_id}"
