"""Writes on comments, each with its rules: posting (flood control, link hold,
depth cap, reply mail), editing, deleting, reporting and moderating."""
import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intercessors import outbox, pagecache, ratelimit
from intercessors.db import insert_once
from intercessors.markup import count_links, render_markdown

from .models import MAX_DEPTH, MAX_LENGTH, Comment, CommentReport
from .targets import content_type_for

logger = logging.getLogger(__name__)

FLOOD_SECONDS = 15
HOURLY_LIMIT = 30
EDIT_MINUTES = 15
EDIT_WINDOW = timedelta(minutes=EDIT_MINUTES)
EDIT_RULE = f"Comments can be edited for {EDIT_MINUTES} minutes after posting."
HOLD_AT_LINKS = 2
HOLD_AT_REPORTS = 3
REPORTS_PER_HOUR = 10
TRUSTED_AFTER = timedelta(days=1)


class CommentRefused(Exception):
    """A comment the rules refuse; `message` says why in words for the member."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TooFast(CommentRefused):
    status = 429


def clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError("Please write something before posting.")
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            f"Please keep your comment to {MAX_LENGTH:,} characters; this one has {len(body):,}."
        )
    return body


def _render(comment: Comment) -> None:
    comment.body_html = render_markdown(comment.body)
    if count_links(comment.body_html) >= HOLD_AT_LINKS:
        comment.status = Comment.Status.PENDING


def _check_flood(author) -> None:
    # Lock the author's row so two posts at the same instant are counted in turn.
    get_user_model().objects.select_related(None).select_for_update().filter(pk=author.pk).first()
    now = timezone.now()
    recent = Comment.objects.filter(author=author, created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=FLOOD_SECONDS)).exists():
        raise TooFast(
            f"Please wait {FLOOD_SECONDS} seconds between comments. Your text is still here; "
            "post it again in a moment."
        )
    if recent.count() >= HOURLY_LIMIT:
        raise TooFast(
            f"You have posted {HOURLY_LIMIT} comments in the last hour, the most we allow. "
            "Your text is still here; please post it a little later."
        )


@transaction.atomic
def post_comment(*, author, target, body: str, parent: Comment | None = None) -> Comment:
    body = clean_body(body)
    if parent is not None:
        if (parent.content_type_id, parent.object_id) != (
            content_type_for(target).pk,
            target.pk,
        ) or not parent.is_public:
            raise CommentRefused("That comment cannot be answered here.")
    _check_flood(author)
    comment = Comment(
        content_type=content_type_for(target),
        object_id=target.pk,
        author=author,
        parent=parent,
        depth=min(parent.depth + 1, MAX_DEPTH) if parent else 1,
        body=body,
    )
    _render(comment)
    comment.save()
    pagecache.retire()
    if parent is not None and comment.status == Comment.Status.PUBLISHED:
        notify_reply(comment)
    return comment


def notify_reply(comment: Comment) -> None:
    """Mail the parent's author about a reply, in the reply's own transaction."""
    # Read the parent's author afresh: their mail setting may have changed.
    recipient = (
        get_user_model().objects.filter(pk=comment.parent.author_id).first()
        if comment.parent and comment.parent.author_id
        else None
    )
    if (
        recipient is None
        or recipient.pk == comment.author_id
        or not recipient.notify_replies
        or not recipient.is_active
        or not recipient.email
    ):
        return
    outbox.send("comments/email/reply", {
        "recipient": recipient.public_name,
        "replier": comment.author.public_name if comment.author else "A member",
        "body": comment.body,
        "link": settings.SITE_URL + comment.get_absolute_url(),
    }, to=recipient.email, member=recipient)


def check_author(comment: Comment, user) -> None:
    if comment.author_id is None or comment.author_id != user.pk or comment.is_deleted:
        raise PermissionDenied("Only the author can change this comment.")


def can_edit(comment: Comment, user) -> bool:
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and not comment.is_deleted
        and comment.status != Comment.Status.REMOVED
        and timezone.now() - comment.created_at <= EDIT_WINDOW
    )


def edit_comment(*, comment: Comment, user, body: str) -> Comment:
    check_author(comment, user)
    if not can_edit(comment, user):
        raise CommentRefused(
            f"{EDIT_RULE} This one can no longer be changed; you can still delete it."
        )
    body = clean_body(body)
    # Edits are held to the pace of new comments: each one is rendered again.
    if not ratelimit.allow("comment-edit", user.pk, limit=1, period=FLOOD_SECONDS):
        raise TooFast(
            f"Please wait {FLOOD_SECONDS} seconds between edits. Your text is still here; "
            "save it again in a moment."
        )
    if not ratelimit.allow("comment-edits", user.pk, limit=HOURLY_LIMIT, period=3600):
        raise TooFast(
            f"You have made {HOURLY_LIMIT} edits in the last hour, the most we allow. "
            "Your text is still here; please save it a little later."
        )
    return _save_edit(comment, body)


@transaction.atomic
def _save_edit(comment: Comment, body: str) -> Comment:
    comment.body = body
    _render(comment)
    comment.edited_at = timezone.now()
    comment.save()
    pagecache.retire()
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, user) -> None:
    """Delete a comment; one with replies stays as "This comment was removed."."""
    check_author(comment, user)
    pagecache.retire()
    if comment.replies.exists():
        comment.is_deleted = True
        comment.body = ""
        comment.body_html = ""
        comment.save(update_fields=["is_deleted", "body", "body_html"])
        return
    parent = comment.parent
    comment.delete()
    # A deleted comment kept only for its replies goes once the last reply goes.
    while parent is not None and parent.is_deleted and not parent.replies.exists():
        grandparent = parent.parent
        parent.delete()
        parent = grandparent


def report_comment(*, comment: Comment, user, reason: str = CommentReport.Reason.OTHER) -> bool:
    """Record one member's report. Every report reaches staff; the third from members
    trusted to hold (see `counts_toward_hold`) holds the comment until staff look."""
    if comment.author_id == user.pk:
        raise CommentRefused("You cannot report your own comment.")
    if not comment.is_public:
        raise CommentRefused("This comment is already with our team.")
    if not ratelimit.allow("comment-report", user.pk, limit=REPORTS_PER_HOUR, period=3600):
        raise TooFast(
            f"You have sent {REPORTS_PER_HOUR} reports in the last hour, the most we allow. "
            "Our team will look at them; please report again later if you need to."
        )
    if reason not in CommentReport.Reason.values:
        raise CommentRefused("Please choose why you are reporting this comment.")
    return _record_report(comment, user, reason)


def counts_toward_hold(user) -> bool:
    """Only verified members of more than a day can hold a comment by reporting it:
    a handful of new accounts from one mailbox cannot silence anyone."""
    return (
        timezone.now() - user.date_joined > TRUSTED_AFTER
        and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


@transaction.atomic
def _record_report(comment: Comment, user, reason: str) -> bool:
    if not insert_once(CommentReport, comment=comment, reporter=user, reason=reason):
        return False
    if not counts_toward_hold(user):
        return True
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    held = (
        Comment.objects.filter(
            pk=comment.pk, status=Comment.Status.PUBLISHED, report_count__gte=HOLD_AT_REPORTS
        )
        .exclude(author__is_staff=True)  # staff comments are never hidden by reports
        .update(status=Comment.Status.PENDING)
    )
    if held:
        pagecache.retire()
    return True


def set_status(*, comment: Comment, status: str, by=None) -> None:
    """A moderator's decision on one comment, from any screen."""
    queryset = Comment.objects.filter(pk=comment.pk)
    if status == Comment.Status.PUBLISHED:
        approve_comments(queryset, by=by)
    elif status == Comment.Status.REMOVED:
        remove_comments(queryset, by=by)
    else:
        queryset.update(status=status)
        pagecache.retire()
    comment.refresh_from_db()


def approve_comments(queryset, *, by=None) -> int:
    """Staff keep these comments. Their open reports are settled by the decision, and
    whatever screen publishes a comment, the count of reports starts again."""
    _resolve_reports(queryset, CommentReport.Resolution.APPROVED, by)
    count = queryset.exclude(status=Comment.Status.PUBLISHED).update(
        status=Comment.Status.PUBLISHED, report_count=0
    )
    queryset.update(report_count=0)
    pagecache.retire()
    return count


def remove_comments(queryset, *, by=None) -> int:
    _resolve_reports(queryset, CommentReport.Resolution.REMOVED, by)
    count = queryset.exclude(status=Comment.Status.REMOVED).update(status=Comment.Status.REMOVED)
    pagecache.retire()
    return count


def dismiss_report(*, report: CommentReport, by) -> None:
    """This report was unfounded: it is closed, and the comment stays as it is."""
    CommentReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
        resolution=CommentReport.Resolution.DISMISSED, resolved_at=timezone.now(), resolved_by=by
    )


def _resolve_reports(comments, resolution, by) -> None:
    CommentReport.objects.filter(comment__in=comments, resolved_at__isnull=True).update(
        resolution=resolution, resolved_at=timezone.now(), resolved_by=by
    )
