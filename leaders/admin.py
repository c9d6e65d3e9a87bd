from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.html import format_html

from library.admin import (
    ModerationActionsMixin,
    ReportAdmin,
    RetirePagesAdminMixin,
    links_as_text,
)
from library.rules import DELETED_MEMBER_NAME
from library.text.markup import html_to_text, shorten
from library.text.moderation import Refused

from .models import Leader, LeaderPrayer, LeaderPrayerReport, LeaderTurn, Office
from .services import approve_prayers, pin, remove_prayers, save_leader, set_prayer_status


def _https(field, **kwargs):
    """Addresses typed without a scheme are taken as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class LeaderForm(forms.ModelForm):
    """A leader with the prayer readers mark "I Prayed" on: staff write its words."""

    prayer_text = forms.CharField(
        label="prayer", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The prayer on the leader's page and in the daily email, e.g. “Father, we "
        "pray for …”. Leave empty for a plain prayer naming them.")

    class Meta:
        model = Leader
        formfield_callback = _https
        fields = ["name", "first_name", "last_name", "office", "state", "area", "district",
                  "party", "term_start", "term_end", "website", "phone", "contact_form",
                  "bioguide", "left_office_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.prayer_id:
            self.fields["prayer_text"].initial = self.instance.prayer.text

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state is not None:
            data["area"] = state.code
        if data.get("office") == Office.GOVERNOR and state is None:
            self.add_error("state", "A governor needs their state.")
        return data


@admin.register(Leader)
class LeaderAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """Leaders of the nation and the states. Congress and the Administration come from
    the public data (`manage.py load_leaders`); staff add governors here."""

    form = LeaderForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "office", "area", "district", "party", "serving", "prayed"]
    list_filter = ["office", ("left_office_at", admin.EmptyFieldListFilter), "party", "state"]
    list_select_related = ["prayer"]
    search_fields = ["name", "name_key", "area", "bioguide"]
    autocomplete_fields = ["state"]

    @admin.display(boolean=True, description="serving", ordering="left_office_at")
    def serving(self, obj):
        return obj.is_serving

    @admin.display(description="prayed", ordering="prayer__prayed_count")
    def prayed(self, obj):
        return obj.prayer.prayed_count

    def save_model(self, request, obj, form, change):
        save_leader(leader=obj, prayer_text=form.cleaned_data.get("prayer_text", ""))


class PinForm(forms.ModelForm):
    class Meta:
        model = LeaderTurn
        fields = ["day", "leader"]
        help_texts = {"day": "The day they are prayed for, in the site's time zone.",
                      "leader": "They take one of the day's three places, and it counts as "
                      "their turn."}

    def clean_leader(self):
        leader = self.cleaned_data["leader"]
        if leader is not None and not leader.is_serving:
            raise forms.ValidationError(f"{leader.name} has left office.")
        return leader


@admin.register(LeaderTurn)
class LeaderTurnAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """The leaders of the day: three a day, taking turns; staff pin a leader to a day
    (an inauguration, a hard vote) by adding one here, and take a pin back by deleting
    it: either way the pages that name the day's leaders are made again."""

    form = PinForm
    list_display = ["day", "place", "leader", "pinned", "round"]
    list_filter = ["pinned", "day"]
    list_select_related = ["leader"]
    autocomplete_fields = ["leader"]
    date_hierarchy = "day"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            saved = pin(leader=obj.leader, day=obj.day)
        except Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            raise PermissionDenied(refusal.message) from None
        obj.pk = saved.pk


@admin.register(LeaderPrayer)
class LeaderPrayerAdmin(ModerationActionsMixin, RetirePagesAdminMixin, admin.ModelAdmin):
    """Members' prayers for leaders: the review queue is the list filtered to
    "Awaiting moderation"."""

    noun, counted_as = "prayer for a leader", "prayer"
    approve_rows = staticmethod(approve_prayers)
    remove_rows = staticmethod(remove_prayers)

    list_display = ["text_shown", "links", "leader", "written_by", "status", "report_count",
                    "created_at"]
    list_filter = ["status", "is_deleted", "created_at"]
    list_select_related = ["leader", "author"]
    search_fields = ["text", "leader__name"]
    date_hierarchy = "created_at"
    fields = ["leader", "written_by", "status", "text", "links", "report_count", "created_at"]
    readonly_fields = ["leader", "written_by", "text", "links", "report_count", "created_at"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Status changes go through the moderation rules: reports settle with them, and
        # the pages that showed the prayer are retired whatever it becomes.
        if "status" in form.changed_data:
            set_prayer_status(prayer=obj, status=obj.status, by=request.user)

    @admin.display(description="prayer")
    def text_shown(self, obj):
        return shorten(html_to_text(obj.body_html), 80) or "(no text)"

    @admin.display(description="links to")
    def links(self, obj):
        return links_as_text(obj.body_html)

    @admin.display(description="written by", ordering="author__display_name")
    def written_by(self, obj):
        return obj.author.public_name if obj.author else DELETED_MEMBER_NAME


@admin.register(LeaderPrayerReport)
class LeaderPrayerReportAdmin(ReportAdmin):
    """A report with the prayer as readers see it, and a decision."""

    noun = "prayer"
    list_select_related = ["prayer", "reporter"]

    @admin.display(description="the prayer")
    def in_context(self, obj):
        prayer = obj.prayer
        return format_html("<p><strong>{}</strong> (readers see “{}”) for {} · {}</p>"
                           "<blockquote>{}</blockquote>",
                           prayer.author.public_name if prayer.author else DELETED_MEMBER_NAME,
                           prayer.author_label, prayer.leader.name, prayer.state_label,
                           html_to_text(prayer.body_html))
