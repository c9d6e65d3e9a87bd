"""What members write, moderated by one set of rules: comments and prayer requests.

Text with a link to another site is held for staff; so is an item three trusted members report
(never one by staff). Members post at a measured pace, edit for 15 minutes and
delete at any time. Staff approve or remove from a queue, which settles the
item's open reports. The models of each app take their fields from `Moderated`
and `ReportBase`; their services call these functions with their own models."""
import unicodedata
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from library.db import insert_once
from library.pages import pagecache
from library.text.markup import CONTROL_CHARACTERS, clean_plain_text, outside_links
from library.web import ratelimit

FLOOD_SECONDS = 15
HOURLY_LIMIT = 30
EDIT_MINUTES = 15
EDIT_WINDOW = timedelta(minutes=EDIT_MINUTES)
HOLD_AT_LINKS = 1  # outside links: one is enough to carry spam or harm
HOLD_AT_REPORTS = 3
REPORTS_PER_HOUR = 10
DETAIL_MAX_LENGTH = 500
TRUSTED_AFTER = timedelta(days=1)


class Status(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting moderation"
    REMOVED = "removed", "Removed"


class Moderated(models.Model):
    """Fields every moderated item has. Its author is its own model's field."""

    Status = Status

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # Deleted by its author. A comment with replies keeps its row, so the thread
    # holds together; the text itself is gone.
    is_deleted = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def state_label(self) -> str:
        """Where it stands, in words: one deleted by its author says so, whatever
        status it kept."""
        return "Deleted by its author" if self.is_deleted else self.get_status_display()

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and not self.is_deleted


class Reason(models.TextChoices):
    UNKIND = "unkind", "Unkind, hateful or abusive"
    SPAM = "spam", "Advertising or spam"
    FALSE = "false", "False or misleading"
    PRIVATE = "private", "Shares someone's private details"
    OTHER = "other", "Something else"


class Resolution(models.TextChoices):
    APPROVED = "approved", "Kept"
    REMOVED = "removed", "Removed"
    DISMISSED = "dismissed", "Report dismissed"


class ReportBase(models.Model):
    """A member's report, with why; open until staff decide on it. Each app's report
    adds `reporter` and the item it reports (its `ITEM_FIELD`)."""

    Reason = Reason
    Resolution = Resolution
    ITEM_FIELD = ""

    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.OTHER)
    # The reporter's own words, needed for "Something else"; cleaned by
    # `clean_report_detail` and shown to staff as text.
    detail = models.TextField("in the reporter's words", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def item(self):
        return getattr(self, self.ITEM_FIELD)


class Refused(Exception):
    """What the rules refuse; `message` says why in words for the member."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TooFast(Refused):
    status = 429


def clean_text(text: str, *, max_length: int, noun: str) -> str:
    """A member's Markdown as it is stored: no control characters, line ends as
    newlines; refused when nothing visible is left, or when it is too long."""
    text = CONTROL_CHARACTERS.sub("", unicodedata.normalize("NFC", text or ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not clean_plain_text(text):
        raise ValidationError("Please write something before posting.")
    if len(text) > max_length:
        raise ValidationError(
            f"Please keep your {noun} to {max_length:,} characters; this one has {len(text):,}."
        )
    return text


def hold_for_links(item: Moderated, html: str) -> None:
    """Text with a link to another site waits for staff before anyone sees it; a
    link to a page of ours does not hold it."""
    if len(outside_links(html, site_url=settings.SITE_URL)) >= HOLD_AT_LINKS:
        item.status = Status.PENDING


def check_pace(author, recent, *, noun: str) -> None:
    """One new item per FLOOD_SECONDS and HOURLY_LIMIT an hour; `recent` is this
    author's items of the kind. The author's row is locked, so two posts at the
    same instant are counted in turn (call inside the write's transaction)."""
    get_user_model().objects.select_related(None).select_for_update().filter(
        pk=author.pk).first()
    now = timezone.now()
    recent = recent.filter(created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=FLOOD_SECONDS)).exists():
        raise TooFast(
            f"Please wait {FLOOD_SECONDS} seconds between {noun}. Your text is still here; "
            "post it again in a moment."
        )
    if recent.count() >= HOURLY_LIMIT:
        raise TooFast(
            f"You have posted {HOURLY_LIMIT} {noun} in the last hour, the most we allow. "
            "Your text is still here; please post it a little later."
        )


def check_edit_pace(user, *, scope: str) -> None:
    """Edits are held to the pace of new items: each one is rendered again."""
    if not ratelimit.allow(f"{scope}-edit", user.pk, limit=1, period=FLOOD_SECONDS):
        raise TooFast(
            f"Please wait {FLOOD_SECONDS} seconds between edits. Your text is still here; "
            "save it again in a moment."
        )
    if not ratelimit.allow(f"{scope}-edits", user.pk, limit=HOURLY_LIMIT, period=3600):
        raise TooFast(
            f"You have made {HOURLY_LIMIT} edits in the last hour, the most we allow. "
            "Your text is still here; please save it a little later."
        )


def in_edit_window(item: Moderated, user) -> bool:
    return (
        user.is_authenticated
        and item.author_id == user.pk
        and not item.is_deleted
        and item.status != Status.REMOVED
        and timezone.now() - item.created_at <= EDIT_WINDOW
    )


def counts_toward_hold(user) -> bool:
    """Only verified members of more than a day can hold an item by reporting it:
    a handful of new accounts from one mailbox cannot silence anyone."""
    return (
        timezone.now() - user.date_joined > TRUSTED_AFTER
        and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def clean_report_detail(reason: str, detail: str) -> str:
    """A reporter's words as stored, through the one cleaning of what members write;
    refused when "Something else" is chosen with nothing said."""
    if not clean_plain_text(detail or ""):
        if reason == Reason.OTHER:
            raise ValidationError(
                "Please say what is wrong, in a few words, when you choose “Something else”."
            )
        return ""
    return clean_text(detail, max_length=DETAIL_MAX_LENGTH, noun="words")


def report_detail_error(reason: str, detail: str) -> str | None:
    """Why a report form's words cannot be taken, for the form to show with them."""
    try:
        clean_report_detail(reason, detail)
    except ValidationError as error:
        return error.messages[0]
    return None


def report(item: Moderated, *, user, reason: str, report_model, noun: str,
           detail: str = "") -> bool:
    """Record one member's report of `item`. Every report reaches staff; the third
    from members trusted to hold (`counts_toward_hold`) holds it until staff look.
    False if this member's report of it is already open."""
    if item.author_id == user.pk:
        raise Refused(f"You cannot report your own {noun}.")
    if not item.is_public:
        raise Refused(f"This {noun} is already with our team.")
    if not ratelimit.allow("report", user.pk, limit=REPORTS_PER_HOUR, period=3600):
        raise TooFast(
            f"You have sent {REPORTS_PER_HOUR} reports in the last hour, the most we allow. "
            "Our team will look at them; please report again later if you need to."
        )
    if reason not in report_model.Reason.values:  # a kind of report may add reasons
        raise Refused(f"Please choose why you are reporting this {noun}.")
    try:
        detail = clean_report_detail(reason, detail)
    except ValidationError as error:
        raise Refused(error.messages[0]) from None
    return _record_report(item, user, reason, detail, report_model)


@transaction.atomic
def _record_report(item, user, reason, detail, report_model) -> bool:
    if not insert_once(report_model, **{report_model.ITEM_FIELD: item}, reporter=user,
                       reason=reason, detail=detail):
        return False
    if not counts_toward_hold(user):
        return True
    items = type(item).objects.filter(pk=item.pk)
    items.update(report_count=F("report_count") + 1)
    held = (
        items.filter(status=Status.PUBLISHED, report_count__gte=HOLD_AT_REPORTS)
        .exclude(author__is_staff=True)  # staff's words are never hidden by reports
        .update(status=Status.PENDING)
    )
    if held:
        pagecache.retire()
    return True


def approve(queryset, *, report_model, by=None) -> int:
    """Staff keep these items. Their open reports are settled by the decision, and
    whatever screen publishes an item, the count of reports starts again."""
    _resolve_reports(queryset, report_model, Resolution.APPROVED, by)
    count = queryset.exclude(status=Status.PUBLISHED).update(
        status=Status.PUBLISHED, report_count=0
    )
    queryset.update(report_count=0)
    pagecache.retire()
    return count


def remove(queryset, *, report_model, by=None) -> int:
    _resolve_reports(queryset, report_model, Resolution.REMOVED, by)
    count = queryset.exclude(status=Status.REMOVED).update(status=Status.REMOVED)
    pagecache.retire()
    return count


def set_status(item: Moderated, status: str, *, report_model, by=None) -> None:
    """A moderator's decision on one item, from any screen."""
    queryset = type(item).objects.filter(pk=item.pk)
    if status == Status.PUBLISHED:
        approve(queryset, report_model=report_model, by=by)
    elif status == Status.REMOVED:
        remove(queryset, report_model=report_model, by=by)
    else:
        queryset.update(status=status)
        pagecache.retire()
    item.refresh_from_db()


def dismiss_report(report_row, *, by) -> None:
    """This report was unfounded: it is closed, and the item stays as it is."""
    type(report_row).objects.filter(pk=report_row.pk, resolved_at__isnull=True).update(
        resolution=Resolution.DISMISSED, resolved_at=timezone.now(), resolved_by=by
    )


def _resolve_reports(items, report_model, resolution, by) -> None:
    report_model.objects.filter(
        **{f"{report_model.ITEM_FIELD}__in": items}, resolved_at__isnull=True
    ).update(resolution=resolution, resolved_at=timezone.now(), resolved_by=by)
