"""Threaded comments on any content (posts, state pages), with moderation."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from library.text.markup import shorten
from library.text.moderation import Moderated, ReportBase

MAX_DEPTH = 5
MAX_LENGTH = 5000


class Comment(Moderated):
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
    created_at = models.DateTimeField(default=timezone.now)

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


class CommentReport(ReportBase):
    """A member's report of a comment, with why; open until staff decide on it."""

    ITEM_FIELD = "comment"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )

    class Meta(ReportBase.Meta):
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
