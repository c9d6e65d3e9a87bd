"""Readers who get prayer updates by email, the editions sent to them, and when."""
import datetime

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from states.models import StateCall

LEAVE_SALT = "updates.leave"
# The page-cache scope of the email archive's pages (library.pages.pagecache): retired
# when an email first goes out, and when staff show or hide a letter.
ARCHIVE = "updates-archive"


class Subscriber(models.Model):
    """An address that asked for prayer updates: anyone's (confirmed through a mail),
    or a member's (confirmed already: their address is), which follows their address."""

    email = models.EmailField(max_length=254)
    member = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="subscription")
    daily = models.BooleanField("the daily email", default=False)
    weekly = models.BooleanField("the weekly digest", default=False)
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Alerts for this state.")
    answered = models.BooleanField("answered prayers I prayed for", default=False)
    urgent = models.BooleanField("urgent prayer requests", default=False, db_default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=Q(member__isnull=True),
                                    name="one_subscriber_per_address"),
        ]
        indexes = [models.Index(fields=["id"], name="subscriber_daily_idx",
                                condition=Q(daily=True, confirmed_at__isnull=False,
                                            left_at__isnull=True)),
                   models.Index(fields=["id"], name="subscriber_weekly_idx",
                                condition=Q(weekly=True, confirmed_at__isnull=False,
                                            left_at__isnull=True)),
                   models.Index(fields=["id"], name="subscriber_urgent_idx",
                                condition=Q(urgent=True, confirmed_at__isnull=False,
                                            left_at__isnull=True))]

    def __str__(self):
        return f"Subscriber {self.pk}"

    @property
    def address(self) -> str:
        """Where mail goes: a member's address as it is now."""
        return self.member.email if self.member_id else self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.left_at is None

    @property
    def leave_token(self) -> str:
        """Proof, in every mail's links, that the reader came from this subscriber's
        mail. It never expires: a year-old mail can still unsubscribe."""
        return signing.dumps(self.pk, salt=LEAVE_SALT, compress=True)

    @property
    def leave_url(self) -> str:
        return settings.SITE_URL + reverse("updates:leave", args=[self.leave_token])


class Timetable(models.Model):
    """When the daily and weekly emails go, as staff set it (one row)."""

    daily_at = models.TimeField("daily email at", default=datetime.time(6, 0),
                                help_text="In the site's time zone.")
    weekly_on = models.PositiveSmallIntegerField(
        "weekly digest on", choices=StateCall.Weekday.choices,
        default=StateCall.Weekday.SATURDAY)
    weekly_at = models.TimeField("weekly digest at", default=datetime.time(7, 0))
    # The last time each was due and handled, whether or not it had anything to send:
    # a day without posts does not send the email later that day.
    daily_done_for = models.DateTimeField(null=True, blank=True, editable=False)
    state_done_for = models.DateTimeField(null=True, blank=True, editable=False)
    weekly_done_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "timetable"

    def __str__(self):
        return "When prayer updates go out"

    @classmethod
    def current(cls) -> "Timetable":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class EditionQuerySet(models.QuerySet):
    def archived(self):
        """Daily emails and weekly digests that went out: in the web archive from the
        first copy recorded, so a reader of the first batch finds its page. One mailed
        to no one is not; a state alert never is (it speaks to one state's readers)."""
        return self.filter(kind__in=[Edition.Kind.DAILY, Edition.Kind.WEEKLY],
                           state__isnull=True, sent_count__gt=0)


class Edition(models.Model):
    """One daily email or weekly digest: what it covers, and how far its mailing got
    (subscribers are mailed in order of id, a batch per transaction)."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily email"
        WEEKLY = "weekly", "Weekly digest"
        STATE = "state", "State alert"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A state alert's state: its subscribers hear of its posts, its new requests and
    # tomorrow's prayer call, in at most one mail a day.
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    since = models.DateTimeField()
    until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The posts it carries: each post goes in one edition of a kind, whenever it was
    # published (a draft published late, or backdated, is not left out).
    posts = models.ManyToManyField("articles.Article", blank=True, related_name="+")
    sent_upto = models.BigIntegerField(default=0, editable=False)
    sent_count = models.PositiveIntegerField(default=0, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-until"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "until"], name="one_edition_per_period",
                                    condition=Q(state__isnull=True)),
            models.UniqueConstraint(fields=["state", "until"], name="one_alert_per_period",
                                    condition=Q(state__isnull=False)),
        ]

    def __str__(self):
        where = f" for {self.state}" if self.state_id else ""
        # Named in the site's time zone, as admin shows its times.
        until = timezone.localtime(self.until)
        return f"{self.get_kind_display()}{where} to {until:%Y-%m-%d %H:%M %Z}"

    def get_absolute_url(self) -> str:
        """Its page in the web archive; a state alert has none."""
        if self.kind == Edition.Kind.STATE:
            return ""
        return reverse("updates:archive-edition", args=[self.kind, self.day.isoformat()])

    @property
    def day(self) -> datetime.date:
        """The day it is dated in the mail and named by on the web: its end, in the
        site's time zone."""
        return timezone.localtime(self.until).date()


class MailingQuerySet(models.QuerySet):
    def archived(self):
        """Letters staff chose to show in the web archive, from the first copy
        recorded."""
        return self.filter(show_in_archive=True, recorded__gt=0,
                           status__in=[Mailing.Status.SENDING, Mailing.Status.SENT])


class Mailing(models.Model):
    """A letter from staff to subscribers: everyone, one state's, or those who prayed
    for a post or a request. Sent once, now or at a set time, a batch of readers at
    a time (`sent_upto`); each reader's copy is recorded once (the outbox's key)."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who gets prayer updates"
        STATE = "state", "Subscribers of one state"
        PRAYED = "prayed", "Subscribers who prayed for a post or request"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown: **bold**, _italic_, lists and links.")
    body_html = models.TextField(blank=True, editable=False)
    post = models.ForeignKey("articles.Article", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text="Optional: a post to point readers to.")
    audience = models.CharField(max_length=10, choices=Audience.choices,
                                default=Audience.EVERYONE)
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="For “Subscribers of one state”.")
    prayer = models.ForeignKey(
        "prayers.Prayer", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For “Subscribers who prayed”: the post's prayer or the request.")
    send_at = models.DateTimeField(null=True, blank=True,
                                   help_text="Empty: send when you press “Send now”.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_upto = models.BigIntegerField(default=0, editable=False)
    recorded = models.PositiveIntegerField(default=0, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Off unless staff choose it: a letter to those who prayed for one request, say,
    # may not be for everyone to read.
    show_in_archive = models.BooleanField(
        "show in the web archive", default=False,
        help_text="Anyone may read it on the site, without the reader's own links, once "
                  "it has gone out. You can change this after sending.")

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-started_at"], name="mailing_archive_idx",
                                condition=Q(show_in_archive=True))]

    def __str__(self):
        return self.subject

    def get_absolute_url(self) -> str:
        """Its page in the web archive (found only while it is shown there)."""
        return reverse("updates:archive-letter", args=[self.pk])

    @property
    def batch_key(self) -> str:
        return f"mailing-{self.pk}"


class UrgentMail(models.Model):
    """One subscriber's mail of urgent requests on one day, with the requests it told:
    the unique day keeps everyone to one such mail a day, and a request it told is not
    told to them again (updates.urgent)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="urgent_mails")
    day = models.DateField()
    prayers = models.ManyToManyField("prayers.Prayer", related_name="urgent_mails")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscriber", "day"],
                                               name="one_urgent_mail_per_day")]

    def __str__(self):
        return f"Urgent requests for {self.subscriber_id} on {self.day}"
