from django.contrib import admin

from .models import Prayer, State


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "name", "slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Prayer)
class PrayerAdmin(admin.ModelAdmin):
    """Standalone prompts (a state's prayers); a post's prayer is edited with its post."""

    list_display = ["__str__", "state", "article", "published_at", "prayed_count"]
    list_filter = [("article", admin.EmptyFieldListFilter), "state", "published_at"]
    list_select_related = ["state", "article"]
    search_fields = ["text"]
    autocomplete_fields = ["state"]
    fields = ["text", "state", "published_at", "prayed_count", "article"]
    readonly_fields = ["prayed_count", "article"]
    date_hierarchy = "published_at"
