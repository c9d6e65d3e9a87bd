from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.template.loader import render_to_string

from intercessors.markup import html_to_text, shorten
from intercessors.pagecache import RetirePagesAdminMixin
from intercessors.rules import DELETED_MEMBER_NAME

from .models import Comment, CommentReport
from .services import approve_comments, dismiss_report, remove_comments, set_status
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
class CommentAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["text", "author_name", "on", "shown_as", "report_count", "created_at"]
    list_filter = ["status", ConversationKindFilter, "created_at"]
    list_select_related = ["author", "content_type"]
    search_fields = ["body", "author__display_name"]
    date_hierarchy = "created_at"
    actions = ["approve", "remove"]
    fields = ["author", "on", "parent", "depth", "status", "body", "report_count", "created_at",
              "edited_at", "is_deleted"]
    readonly_fields = ["author", "on", "parent", "depth", "body", "report_count", "created_at",
                       "edited_at", "is_deleted"]

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

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        count = approve_comments(queryset)
        self.message_user(request, f"{count} comment(s) approved.", messages.SUCCESS)

    @admin.action(description="Remove selected comments from the site", permissions=["change"])
    def remove(self, request, queryset):
        count = remove_comments(queryset)
        self.message_user(request, f"{count} comment(s) removed.", messages.SUCCESS)


class OpenReportsFilter(admin.SimpleListFilter):
    """Open reports by default: a handled report leaves the list that needs work."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def choices(self, changelist):
        current = self.value() or "open"
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    """One place to moderate a report: the comment in its thread, and a decision."""

    list_display = ["excerpt", "reason", "reporter_name", "created_at", "decision"]
    list_filter = [OpenReportsFilter, "reason"]
    list_select_related = ["comment", "reporter"]
    fields = ["in_thread", "reason", "reporter_name", "created_at", "decision", "resolved_at",
              "resolved_by"]
    readonly_fields = fields
    change_form_template = "admin/comments/commentreport/change_form.html"
    DECISIONS = {"_keep": "kept", "_remove": "removed", "_dismiss": "dismissed"}

    def has_add_permission(self, request):
        return False

    @admin.display(description="comment")
    def excerpt(self, obj):
        return str(obj.comment)

    @admin.display(description="reporter")
    def reporter_name(self, obj):
        return obj.reporter.public_name

    @admin.display(description="decision")
    def decision(self, obj):
        return obj.get_resolution_display() if obj.resolution else "Open"

    @admin.display(description="the comment in its thread")
    def in_thread(self, obj):
        comment = obj.comment
        return render_to_string("admin/comments/_report_thread.html", {
            "comment": comment,
            "parent": comment.parent,
            "replies": comment.replies.select_related("author")[:5],
        })

    def response_change(self, request, obj):
        decision = next((key for key in self.DECISIONS if key in request.POST), None)
        if decision and self.has_change_permission(request, obj):
            comments = Comment.objects.filter(pk=obj.comment_id)
            if decision == "_keep":
                approve_comments(comments, by=request.user)
            elif decision == "_remove":
                remove_comments(comments, by=request.user)
            else:
                dismiss_report(report=obj, by=request.user)
            self.message_user(
                request, f"Done: the comment was {self.DECISIONS[decision]}"
                + (" (its other reports stay open)." if decision == "_dismiss" else "."),
                messages.SUCCESS,
            )
            return redirect("admin:comments_commentreport_changelist")
        return super().response_change(request, obj)
