from django.contrib import admin

from . import services
from .models import Edition, Subscriber, Timetable


@admin.register(Timetable)
class TimetableAdmin(admin.ModelAdmin):
    """When the daily email and the weekly digest go: one row, changed in place."""

    list_display = ["__str__", "daily_at", "weekly_on", "weekly_at"]

    def has_add_permission(self, request):
        return not Timetable.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Each daily email and weekly digest: what it covered and how its mailing went
    (the mails themselves are in the outbox)."""

    list_display = ["__str__", "kind", "since", "until", "sent_count", "done_at"]
    list_filter = ["kind"]
    date_hierarchy = "until"
    readonly_fields = ["kind", "since", "until", "sent_upto", "sent_count", "done_at",
                       "created_at"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        services.remove(obj)

    def delete_queryset(self, request, queryset):
        for subscriber in queryset:
            services.remove(subscriber)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Who gets prayer updates and which. Changes go through the reader's own page
    (every mail links to it); staff can see, and remove an address on request."""

    list_display = ["email", "member", "daily", "weekly", "state", "answered", "confirmed_at",
                    "left_at"]
    list_filter = ["daily", "weekly", "answered", "state", "confirmed_at", "left_at"]
    list_select_related = ["member", "state"]
    search_fields = ["email"]
    readonly_fields = ["email", "member", "daily", "weekly", "state", "answered",
                       "confirmed_at", "left_at", "created_at"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        services.remove(obj)

    def delete_queryset(self, request, queryset):
        for subscriber in queryset:
            services.remove(subscriber)
