from django.contrib import admin

from intercessors.pagecache import RetirePagesAdminMixin

from .models import Prayer


@admin.register(Prayer)
class PrayerAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """Standalone prompts (a state's prayers); a post's prayer is edited with its post."""

    list_display = ["__str__", "state", "published_at", "prayed_count"]
    list_filter = ["state", "published_at"]
    list_select_related = ["state"]
    search_fields = ["text"]
    autocomplete_fields = ["state"]
    fields = ["text", "state", "published_at", "prayed_count"]
    readonly_fields = ["prayed_count"]
    date_hierarchy = "published_at"

    def get_queryset(self, request):
        return super().get_queryset(request).standalone()
