"""Writes on comments, each with its rules: posting (flood control, link hold,
depth cap, reply mail), editing, deleting, reporting and moderating."""
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from library.mail import outbox
from library.pages import pagecache
from library.text import moderation
from library.text.markup import render_markdown
from library.text.moderation import (
    EDIT_MINUTES,
    FLOOD_SECONDS,  # noqa: F401 (the pace members are told of)
    HOLD_AT_LINKS,  # noqa: F401
    HOLD_AT_REPORTS,  # noqa: F401
    HOURLY_LIMIT,  # noqa: F401
    REPORTS_PER_HOUR,  # noqa: F401
    Refused,
    TooFast,  # noqa: F401
    check_edit_pace,
    check_pace,
    clean_text,
    hold_for_links,
    in_edit_window,
)

from .models import MAX_DEPTH, MAX_LENGTH, Comment, CommentReport
from .targets import content_type_for

logger = logging.getLogger(__name__)

EDIT_RULE = f"Comments can be edited for {EDIT_MINUTES} minutes after posting."
# The comments' own names for the shared rules' refusals.
CommentRefused = Refused


def clean_body(body: str) -> str:
    return clean_text(body, max_length=MAX_LENGTH, noun="comment")


def _render(comment: Comment) -> None:
    comment.body_html = render_markdown(comment.body)
    hold_for_links(comment, comment.body_html)


@transaction.atomic
def post_comment(*, author, target, body: str, parent: Comment | None = None) -> Comment:
    body = clean_body(body)
    if parent is not None:
        if (parent.content_type_id, parent.object_id) != (
            content_type_for(target).pk,
            target.pk,
        ) or not parent.is_public:
            raise CommentRefused("That comment cannot be answered here.")
    check_pace(author, Comment.objects.filter(author=author), noun="comments")
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
    _retire(target)
    if parent is not None and comment.status == Comment.Status.PUBLISHED:
        notify_reply(comment)
    return comment


def _retire(target) -> None:
    """A comment changed: its conversation's page, and the lists counting comments."""
    pagecache.retire(pagecache.LISTS, *([target.page_scope] if target is not None else []))


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
        or not recipient.can_be_mailed
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
    return in_edit_window(comment, user)


def edit_comment(*, comment: Comment, user, body: str) -> Comment:
    check_author(comment, user)
    if not can_edit(comment, user):
        raise CommentRefused(
            f"{EDIT_RULE} This one can no longer be changed; you can still delete it."
        )
    body = clean_body(body)
    check_edit_pace(user, scope="comment")
    return _save_edit(comment, body)


@transaction.atomic
def _save_edit(comment: Comment, body: str) -> Comment:
    comment.body = body
    _render(comment)
    comment.edited_at = timezone.now()
    comment.save()
    _retire(comment.target)
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, user) -> None:
    """Delete a comment; one with replies stays as "This comment was removed."."""
    check_author(comment, user)
    _retire(comment.target)
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


def report_comment(*, comment: Comment, user, reason: str, detail: str = "") -> bool:
    """Record one member's report (see library.text.moderation.report)."""
    return moderation.report(comment, user=user, reason=reason, detail=detail,
                             report_model=CommentReport, noun="comment")


def set_status(*, comment: Comment, status: str, by=None) -> None:
    moderation.set_status(comment, status, report_model=CommentReport, by=by)


def approve_comments(queryset, *, by=None) -> int:
    return moderation.approve(queryset, report_model=CommentReport, by=by)


def remove_comments(queryset, *, by=None) -> int:
    return moderation.remove(queryset, report_model=CommentReport, by=by)
