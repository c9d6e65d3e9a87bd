from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from intercessors.images import ImageUploadField
from intercessors.pagecache import RetirePagesAdminMixin
from prayers.models import Prayer

from .models import Article, Topic
from .services import save_post


@admin.register(Topic)
class TopicAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PrayerInline(admin.StackedInline):
    model = Prayer
    fk_name = "article"
    fields = ["text"]
    min_num = 1
    max_num = 1
    validate_min = True
    can_delete = False
    verbose_name = "prayer"
    verbose_name_plural = "prayer (opens the post)"


@admin.register(Article)
class ArticleAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    inlines = [PrayerInline]
    list_display = ["title", "publication", "published_at", "author", "prayed", "reading_time"]
    list_filter = ["status", "topics", "states", "published_at"]
    list_select_related = ["author", "prayer"]
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "body", "prayer__text", "source_name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "states"]
    readonly_fields = ["reading_time", "author"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # Photos are checked and re-encoded without their metadata (a phone's GPS).
        models.FileField: {"form_class": ImageUploadField},
    }
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "published_at", "author"]}),
        ("Excerpt", {"fields": ["summary", "body", "reading_time", "question"]}),
        ("Attribution", {"fields": ["source_name", "source_url", "is_excerpt"]}),
        ("Photo", {"fields": ["photo", "photo_alt", "photo_credit"]}),
        ("Where it belongs", {"fields": ["topics", "states"]}),
    ]

    @admin.display(description="status", ordering="status")
    def publication(self, obj):
        if obj.is_scheduled:
            return "Scheduled"
        return obj.get_status_display()

    @admin.display(description="prayed", ordering="prayer__prayed_count")
    def prayed(self, obj):
        prayer = obj.opening_prayer
        return format_html("{}", prayer.prayed_count) if prayer else "—"

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # The prayer (an inline) and the topics and states are saved here; then the
        # post service keeps the prayer's time with its post and retires pages.
        super(RetirePagesAdminMixin, self).save_related(request, form, formsets, change)
        save_post(article=form.instance)
