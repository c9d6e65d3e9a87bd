from django.contrib import admin

from library.admin import RetirePagesAdminMixin
from prayers.models import Prayer

from .models import State, StateCall


class StateCallInline(admin.StackedInline):
    """The weekly calls as they were before they became events: kept, read-only, for
    servers of the previous release during a deploy. The site shows events."""

    model = StateCall
    extra = 0
    fields = ["title", ("weekday", "start_time", "duration_minutes", "time_zone"), "how_to_join",
              "is_active"]
    readonly_fields = ["title", "weekday", "start_time", "duration_minutes", "time_zone",
                       "how_to_join", "is_active"]
    can_delete = False
    verbose_name = "weekly call (read-only)"
    verbose_name_plural = ("Weekly calls, read-only: calls are now edited under “Prayer calls "
                           "and gatherings › Events”")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatePrayerInline(admin.StackedInline):
    """The state's own prompts, which stand without a post."""

    model = Prayer
    fk_name = "state"
    extra = 0
    fields = ["text", "published_at", "prayed_count"]
    readonly_fields = ["prayed_count"]
    verbose_name = "state prayer"
    verbose_name_plural = "state prayers"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(article__isnull=True)


@admin.register(State)
class StateAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "coordinator_name"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "name", "slug"]
    fields = ["name", "code", "slug", "note", "coordinator_name", "coordinator_contact",
              "coordinator_email"]
    inlines = [StateCallInline, StatePrayerInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
