"""Threaded comments on any content (posts, state pages), with moderation."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from intercessors.markup import shorten

MAX_DEPTH = 5
MAX_LENGTH = 5000


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Awaiting moderation"
        REMOVED = "removed", "Removed"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    # The comment this one answers; replies below the deepest level keep
    # their real parent but are shown at that level.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(max_length=MAX_LENGTH)
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # An author who deletes a comment that has replies leaves this mark, so
    # the thread holds together; the text itself is gone.
    is_deleted = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="comment_target_idx"
            ),
            models.Index(fields=["author", "created_at"], name="comment_author_time_idx"),
            models.Index(fields=["status", "created_at"], name="comment_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depth__gte=1, depth__lte=MAX_DEPTH), name="comment_depth_1_to_5"
            ),
        ]

    def __str__(self):
        text = self.body.replace("\n", " ")
        return shorten(text, 60)

    def get_absolute_url(self):
        return f"{self.target.get_absolute_url()}#comment-{self.pk}"

    @property
    def state_label(self) -> str:
        """Where the comment stands, in words: one deleted by its author says so,
        whatever status it kept for the replies under it."""
        return "Deleted by its author" if self.is_deleted else self.get_status_display()

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_deleted


class CommentReport(models.Model):
    """A member's report of a comment, with why; open until staff decide on it."""

    class Reason(models.TextChoices):
        UNKIND = "unkind", "Unkind, hateful or abusive"
        SPAM = "spam", "Advertising or spam"
        FALSE = "false", "False or misleading"
        PRIVATE = "private", "Shares someone's private details"
        OTHER = "other", "Something else"

    class Resolution(models.TextChoices):
        APPROVED = "approved", "Comment kept"
        REMOVED = "removed", "Comment removed"
        DISMISSED = "dismissed", "Report dismissed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.OTHER)
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open report per member and comment; after staff decide, a new one may come.
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="one_open_report_per_member",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="report_open_idx")]

    def __str__(self):
        return f"Report on comment {self.comment_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
