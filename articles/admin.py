from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from library.admin import RetirePagesAdminMixin
from library.web.images import ImageUploadField

from .models import Article, Topic
from .services import save_post


@admin.register(Topic)
class TopicAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PostForm(forms.ModelForm):
    """A post with its prayer, which opens it: written first, at the top."""

    prayer_text = forms.CharField(
        label="Prayer",
        max_length=1000,
        widget=AdminTextareaWidget(),
        help_text="The prayer that opens the post, e.g. “Father, we pray that …”.",
    )

    source_url = forms.URLField(label="Source URL", required=False, max_length=500,
                                assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "slug", "status", "published_at", "summary", "body", "question",
                  "source_name", "source_url", "is_excerpt", "photo", "photo_alt",
                  "photo_credit", "topics", "states"]
        labels = {"published_at": "Publish at"}
        help_texts = {"published_at": "In the site's time zone (Eastern). A time to come "
                                      "schedules the post: it appears then, with its prayer, "
                                      "on its own."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.opening_prayer:
            self.fields["prayer_text"].initial = self.instance.opening_prayer.text


@admin.register(Article)
class ArticleAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    form = PostForm
    list_display = ["title", "publication", "published_at", "author", "prayed", "reading_time"]
    list_filter = ["status", "topics", "states", "published_at"]
    list_select_related = ["author", "prayer"]
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "body", "prayer__text", "source_name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "states"]
    readonly_fields = ["reading_time", "author", "prayer_updates"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # Photos are checked and re-encoded without their metadata (a phone's GPS).
        models.FileField: {"form_class": ImageUploadField},
    }
    fieldsets = [
        (None, {"fields": ["prayer_text", "prayer_updates"]}),
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

    @admin.display(description="news of this prayer")
    def prayer_updates(self, obj):
        """Where staff tell what happened, or that the prayer was answered."""
        prayer = obj.opening_prayer if obj.pk else None
        if prayer is None:
            return "Save the post first; then you can add updates to its prayer."
        return format_html(
            '{} <a href="{}?prayer={}">Add an update, or mark it answered</a>',
            "Answered. " if prayer.answered_at else "",
            reverse("admin:prayers_prayerupdate_add"), prayer.pk)

    @admin.display(description="prayed", ordering="prayer__prayed_count")
    def prayed(self, obj):
        prayer = obj.opening_prayer
        return format_html("{}", prayer.prayed_count) if prayer else "—"

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        if obj.is_scheduled:
            when = date_format(timezone.localtime(obj.published_at), "l, F j \\a\\t g:i A")
            self.message_user(request, f"Scheduled: “{obj.title}” appears on {when}.",
                              messages.INFO)

    def save_related(self, request, form, formsets, change):
        # The topics and states are saved here; the post service then saves the
        # prayer with its post's time and retires the pages that show it.
        super(RetirePagesAdminMixin, self).save_related(request, form, formsets, change)
        save_post(article=form.instance, prayer_text=form.cleaned_data["prayer_text"])
