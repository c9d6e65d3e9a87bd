from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string

from library.admin import (
    ModerationActionsMixin,
    ReportAdmin,
    RetirePagesAdminMixin,
    links_as_text,
)
from library.rules import DELETED_MEMBER_NAME
from library.text.markup import html_to_text, shorten

from .models import Comment, CommentReport
from .services import approve_comments, remove_comments, set_status
from .targets import host_labels, host_model


class ConversationKindFilter(admin.SimpleListFilter):
    """Only the kinds of page that carry conversations (comments.targets)."""

    title = "on"
    parameter_name = "on"

    def lookups(self, request, model_admin):
        return [(label, host_model(label)._meta.verbose_name_plural.capitalize())
                for label in host_labels()]

    def queryset(self, request, queryset):
        if model := host_model(self.value() or ""):
            return queryset.filter(content_type=ContentType.objects.get_for_model(model))
        return queryset


@admin.register(Comment)
class CommentAdmin(ModerationActionsMixin, RetirePagesAdminMixin, admin.ModelAdmin):
    noun = counted_as = "comment"
    approve_rows = staticmethod(approve_comments)
    remove_rows = staticmethod(remove_comments)
    list_display = ["text", "links", "author_name", "on", "shown_as", "report_count",
                    "created_at"]
    list_filter = ["status", ConversationKindFilter, "created_at"]
    list_select_related = ["author", "content_type"]
    search_fields = ["body", "author__display_name"]
    date_hierarchy = "created_at"
    fields = ["author", "on", "parent", "depth", "status", "body", "links", "report_count",
              "created_at", "edited_at", "is_deleted"]
    readonly_fields = ["author", "on", "parent", "depth", "body", "links", "report_count",
                       "created_at", "edited_at", "is_deleted"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Status changes go through the comment service, whose rules (reports
        # settled on publishing) hold on every screen.
        if "status" in form.changed_data:
            set_status(comment=obj, status=obj.status)
        else:
            super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("target")

    @admin.display(description="comment")
    def text(self, obj):
        # What readers see, not the Markdown typed.
        return shorten(html_to_text(obj.body_html), 80) or "(no text)"

    @admin.display(description="links to")
    def links(self, obj):
        return links_as_text(obj.body_html)

    @admin.display(description="status", ordering="status")
    def shown_as(self, obj):
        return obj.state_label

    @admin.display(description="author", ordering="author__display_name")
    def author_name(self, obj):
        return obj.author.public_name if obj.author else DELETED_MEMBER_NAME

    @admin.display(description="on")
    def on(self, obj):
        if obj.target is None:
            return "(deleted)"
        return render_to_string("admin/comments/_on.html", {"comment": obj})


@admin.register(CommentReport)
class CommentReportAdmin(ReportAdmin):
    """A report with the comment in its thread, and a decision."""

    noun = "comment"
    list_select_related = ["comment", "reporter"]

    @admin.display(description="the comment in its thread")
    def in_context(self, obj):
        comment = obj.comment
        return render_to_string("admin/comments/_report_thread.html", {
            "comment": comment,
            "parent": comment.parent,
            "replies": comment.replies.select_related("author")[:5],
        })
