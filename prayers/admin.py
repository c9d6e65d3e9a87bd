from django.contrib import admin

from articles.search import refresh_search_index
from intercessors.pagecache import BumpPagesAdminMixin

from .models import Prayer, State, StateCall


class StateCallInline(admin.StackedInline):
    model = StateCall
    extra = 0
    fields = ["title", ("weekday", "start_time", "duration_minutes", "time_zone"), "how_to_join",
              "is_active"]


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
class StateAdmin(BumpPagesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "coordinator_name"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "name", "slug"]
    fields = ["name", "code", "slug", "note", "coordinator_name", "coordinator_contact"]
    inlines = [StateCallInline, StatePrayerInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Prayer)
class PrayerAdmin(BumpPagesAdminMixin, admin.ModelAdmin):
    """Standalone prompts (a state's prayers); a post's prayer is edited with its post."""

    list_display = ["__str__", "state", "article", "published_at", "prayed_count"]
    list_filter = [("article", admin.EmptyFieldListFilter), "state", "published_at"]
    list_select_related = ["state", "article"]
    search_fields = ["text"]
    autocomplete_fields = ["state"]
    fields = ["text", "state", "published_at", "prayed_count", "article"]
    readonly_fields = ["prayed_count", "article"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.article_id:
            refresh_search_index([obj.article_id])
