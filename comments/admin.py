from django.contrib import admin, messages
from django.template.loader import render_to_string

from intercessors.pagecache import RetirePagesAdminMixin
from intercessors.rules import DELETED_MEMBER_NAME

from .models import Comment, CommentReport
from .services import approve_comments, remove_comments, set_status


@admin.register(Comment)
class CommentAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "author_name", "on", "shown_as", "report_count", "created_at"]
    list_filter = ["status", "created_at", "content_type"]
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


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reporter_name", "created_at"]
    list_select_related = ["comment", "reporter"]
    readonly_fields = ["comment", "reporter", "created_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="reporter")
    def reporter_name(self, obj):
        return obj.reporter.public_name
