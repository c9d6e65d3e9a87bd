from django.contrib import admin, messages
from django.db import models

from library.admin import RetirePagesAdminMixin

from . import services
from .models import Event, Recording, Reminder


class RecordingInline(admin.StackedInline):
    model = Recording
    extra = 0
    fields = ["occurrence_date", "title", "notes", "audio", "published_at"]


@admin.register(Event)
class EventAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "state", "start_date", "start_time", "time_zone", "repeat",
                    "is_cancelled"]
    list_filter = ["kind", "repeat", "is_cancelled", ("state", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title"]
    autocomplete_fields = ["state"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "state", "description"]}),
        ("When", {"fields": ["time_zone", ("start_date", "start_time"),
                             ("end_date", "end_time"), "repeat",
                             ("repeat_until", "repeat_count"), "skipped_dates", "is_cancelled"],
                  "description": "Times are in the event's time zone. A repeating event "
                                 "needs a last date or a number of times, not both."}),
        ("How to join", {"fields": ["address", ("phone", "access_code"), "stream_url",
                                    "join_notes"]}),
    ]
    inlines = [RecordingInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new event has no one to tell; a changed time tells those reminded, once.
        services.event_saved(event=obj, changed=form.changed_data if change else [])
        if change and set(form.changed_data) & set(services.TIME_FIELDS) and (
                obj.reminders.exists()):
            messages.info(request, "Everyone who asked for reminders will be told of the "
                                   "change by email.")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Who asked for reminders, without their addresses: staff see counts, not lists."""

    list_display = ["event", "kind_of_reader", "occurrence", "confirmed_at", "created_at"]
    list_filter = [("event", admin.RelatedOnlyFieldListFilter)]
    fields = ["event", "occurrence", "confirmed_at", "created_at"]
    readonly_fields = fields

    @admin.display(description="who")
    def kind_of_reader(self, reminder):
        return "a member" if reminder.member_id else "by email"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
