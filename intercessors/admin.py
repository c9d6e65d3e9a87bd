from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from . import outbox
from .models import OutboxMessage, SitePage
from .pagecache import RetirePagesAdminMixin


@admin.register(SitePage)
class SitePageAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """The about, contact and privacy pages: their text changes, the pages stay."""

    list_display = ["title", "kind", "updated_at"]
    fields = ["title", "body"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The site's mail: waiting, sent, or failed with the mail server's answer.
    Security mails (confirmations, password resets) show only their recipient,
    kind and status: their links open an account."""

    list_display = ["created_at", "kind_label", "to", "status", "tries", "sent_at", "problem"]
    list_filter = ["status", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    actions = ["try_again"]
    change_form_template = "admin/intercessors/outboxmessage/change_form.html"
    ENVELOPE = ["kind_label", "to", "status", "tries", "created_at", "next_try_at", "sent_at",
                "error", "message_id"]

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, message):
        return message.get_kind_display()

    @admin.display(description="problem")
    def problem(self, message):
        return message.error[:120] if message.status != OutboxMessage.Status.SENT else ""

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_security:
            return self.ENVELOPE
        return [*self.ENVELOPE, "subject", "body"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Try the selected failed mail again", permissions=["change"])
    def try_again(self, request, queryset):
        count = outbox.try_again(queryset)
        self.message_user(request, f"{count} failed mails will be sent again shortly."
                          if count else "None of the selected mails had failed.",
                          messages.SUCCESS if count else messages.WARNING)

    def get_urls(self):
        return [
            path("<int:pk>/try-again/", self.admin_site.admin_view(self.try_again_view),
                 name="intercessors_outboxmessage_try_again"),
            *super().get_urls(),
        ]

    def try_again_view(self, request, pk):
        message = get_object_or_404(OutboxMessage, pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, message):
            raise PermissionDenied
        self.try_again(request, OutboxMessage.objects.filter(pk=message.pk))
        return redirect("admin:intercessors_outboxmessage_change", message.pk)
