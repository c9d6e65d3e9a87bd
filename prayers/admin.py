from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html

from library.admin import (
    ModerationActionsMixin,
    ReportAdmin,
    RetirePagesAdminMixin,
    links_as_text,
    record,
)
from library.rules import DELETED_MEMBER_NAME, counted, parse_id
from library.text.markup import html_to_text, shorten
from library.text.moderation import Refused

from . import followup
from .models import (
    Prayer,
    PrayerNote,
    PrayerNoteReport,
    PrayerReport,
    PrayerRequest,
    PrayerUpdate,
)
from .services import (
    approve_notes,
    approve_requests,
    approve_urgent,
    remove_notes,
    remove_requests,
    set_note_status,
    set_request_category,
    set_request_status,
)


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
        prayers = super().get_queryset(request)
        # Updates are written for any of our prayers, a post's too: the update form's
        # prayer search looks through all of them.
        match = request.resolver_match
        if match and match.url_name == "autocomplete":
            if request.GET.get("model_name") == "mailing":  # "those who prayed for…"
                return prayers.filter(status="published", is_deleted=False)
            return prayers.filter(kind=Prayer.Kind.PROMPT).select_related("article")
        return prayers.standalone()


class PrayerUpdateForm(forms.ModelForm):
    """The service's rules as form errors: the text through the one sanitiser, and
    no second answer."""

    class Meta:
        model = PrayerUpdate
        fields = ["prayer", "text", "answered"]

    def clean_text(self):
        return followup.clean_update_text(self.cleaned_data["text"])

    def clean(self):
        data = super().clean()
        prayer = data.get("prayer")
        if prayer is not None and data.get("answered") and prayer.is_answered:
            raise forms.ValidationError("This prayer is already marked answered; delete "
                                        "that answer first to write another.")
        return data


@admin.register(PrayerUpdate)
class PrayerUpdateAdmin(admin.ModelAdmin):
    """News of our own prayers, a post's or a state's ("Update: the levee held"); one
    marked answered tells everyone who prayed. Written once; delete one to take it
    back. Members' requests are updated by their requesters."""

    list_display = ["__str__", "prayer", "answered", "created_at"]
    list_filter = ["answered", "created_at"]
    list_select_related = ["prayer"]
    form = PrayerUpdateForm
    autocomplete_fields = ["prayer"]
    fields = ["prayer", "text", "answered"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(prayer__kind=Prayer.Kind.PROMPT)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_changeform_initial_data(self, request):
        # "Add an update" from a post's page arrives with ?prayer=<id>.
        prayer = parse_id(request.GET.get("prayer", ""))
        return {"prayer": prayer} if prayer is not None else {}

    def save_model(self, request, obj, form, change):
        # The service writes it: the rendering, the answer, and telling those who prayed.
        try:
            saved = followup.add_update(prayer=obj.prayer, user=request.user, text=obj.text,
                                       answered=obj.answered)
        except Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            raise PermissionDenied(refusal.message) from None
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        followup.refresh_updates(obj.prayer)

    def delete_queryset(self, request, queryset):
        prayers = {update.prayer for update in queryset.select_related("prayer")}
        super().delete_queryset(request, queryset)
        for prayer in prayers:
            followup.refresh_updates(prayer)


class AnsweredFilter(admin.SimpleListFilter):
    title = "answered"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", "Answered"), ("no", "Not yet")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(answered_at__isnull=self.value() == "no")
        return queryset


class UrgentFilter(admin.SimpleListFilter):
    title = "urgent"
    parameter_name = "urgent"

    def lookups(self, request, model_admin):
        return [("asked", "Asked, waiting for you"), ("yes", "Marked urgent")]

    def queryset(self, request, queryset):
        if self.value() == "asked":
            return queryset.filter(urgent_asked_at__isnull=False, urgent_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(urgent_at__isnull=False)
        return queryset


@admin.register(PrayerRequest)
class PrayerRequestAdmin(ModerationActionsMixin, RetirePagesAdminMixin, admin.ModelAdmin):
    """Members' requests: the review queue is the list filtered to "Awaiting
    moderation". Staff see who asked, anonymous or not; readers never do."""

    noun, counted_as = "prayer request", "request"
    approve_rows = staticmethod(approve_requests)
    remove_rows = staticmethod(remove_requests)

    list_display = ["text_shown", "links", "asked_by", "shown_as_name", "state", "category",
                    "shown_as", "urgent", "answered", "report_count", "prayed_count",
                    "created_at"]
    list_filter = ["status", UrgentFilter, AnsweredFilter, "category", "is_deleted", "anonymous",
                   "state",
                   "created_at"]
    list_select_related = ["author", "state"]
    search_fields = ["text", "author__display_name"]
    date_hierarchy = "created_at"
    actions = ["approve", "remove", "mark_urgent"]
    fields = ["asked_by", "anonymous", "state", "category", "status", "text_shown_whole", "links",
              "urgent", "notes_public", "prayed_count", "report_count", "created_at",
              "edited_at", "is_deleted"]
    readonly_fields = ["asked_by", "anonymous", "state", "text_shown_whole", "links", "urgent",
                       "notes_public", "prayed_count", "report_count", "created_at",
                       "edited_at", "is_deleted"]

    def get_queryset(self, request):
        return super().get_queryset(request).requests()

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Status changes go through the service, whose rules hold on every screen.
        if "status" in form.changed_data:
            set_request_status(prayer=obj, status=obj.status, by=request.user)
        if "category" in form.changed_data:
            set_request_category(prayer=obj, category=obj.category)

    @admin.display(description="request")
    def text_shown(self, obj):
        return shorten(html_to_text(obj.body_html), 80) or "(no text)"

    @admin.display(description="links to")
    def links(self, obj):
        return links_as_text(obj.body_html)

    @admin.display(description="answered", boolean=True, ordering="answered_at")
    def answered(self, obj):
        return obj.is_answered

    @admin.display(description="urgent", ordering="urgent_asked_at")
    def urgent(self, obj):
        if obj.urgent_at:
            return (f"Urgent until {obj.urgent_until:%Y-%m-%d %H:%M}" if obj.is_urgent
                    else "Was urgent")
        return "Asked: waiting for you" if obj.urgent_asked_at else "No"

    @admin.display(description="request")
    def text_shown_whole(self, obj):
        return html_to_text(obj.body_html)

    @admin.display(description="asked by", ordering="author__display_name")
    def asked_by(self, obj):
        return obj.author.public_name if obj.author else DELETED_MEMBER_NAME

    @admin.display(description="readers see", boolean=False)
    def shown_as_name(self, obj):
        return obj.author_label

    @admin.display(description="status", ordering="status")
    def shown_as(self, obj):
        return obj.state_label


    @admin.action(description="Mark selected requests urgent, as their requesters asked",
                  permissions=["change"])
    def mark_urgent(self, request, queryset):
        ids = approve_urgent(queryset, by=request.user)
        record(request, Prayer.objects.filter(pk__in=ids), "Marked urgent (prayer request)")
        left = queryset.count() - len(ids)
        self.message_user(
            request, f"{counted(len(ids), 'request')} marked urgent; subscribers who chose "
            "urgent requests will be emailed." + (
                f" {counted(left, 'request')} left as they were: only a request on the wall "
                "whose requester asked, and not marked urgent already, can be." if left else ""),
            messages.SUCCESS if ids else messages.WARNING)


@admin.register(PrayerNote)
class PrayerNoteAdmin(ModerationActionsMixin, RetirePagesAdminMixin, admin.ModelAdmin):
    """Notes members leave with "I Prayed": those with links wait here ("Awaiting
    moderation") for a decision, as requests do."""

    noun, counted_as = "note", "note"
    approve_rows = staticmethod(approve_notes)
    remove_rows = staticmethod(remove_notes)

    list_display = ["__str__", "links", "written_by", "on_request", "shown_as", "report_count",
                    "created_at"]
    list_filter = ["status", "is_deleted", "created_at"]
    list_select_related = ["author", "prayer"]
    search_fields = ["text", "author__display_name"]
    date_hierarchy = "created_at"
    fields = ["written_by", "on_request", "status", "text_whole", "links", "report_count",
              "created_at"]
    readonly_fields = ["written_by", "on_request", "text_whole", "links", "report_count",
                       "created_at"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            set_note_status(note=obj, status=obj.status, by=request.user)

    @admin.display(description="written by", ordering="author__display_name")
    def written_by(self, obj):
        return obj.author_label

    @admin.display(description="on the request")
    def on_request(self, obj):
        return str(obj.prayer)

    @admin.display(description="note")
    def text_whole(self, obj):
        return html_to_text(obj.body_html)

    @admin.display(description="links to")
    def links(self, obj):
        return links_as_text(obj.body_html)

    @admin.display(description="status", ordering="status")
    def shown_as(self, obj):
        return obj.state_label


@admin.register(PrayerNoteReport)
class PrayerNoteReportAdmin(ReportAdmin):
    """A report of a note, with the note and its request as readers see them."""

    noun = "note"
    list_select_related = ["note", "reporter"]

    @admin.display(description="the note")
    def in_context(self, obj):
        note = obj.note
        return format_html(
            "<p><strong>{}</strong> · {}</p><blockquote>{}</blockquote>"
            "<p>On the request: {}</p>",
            note.author_label, note.state_label, html_to_text(note.body_html),
            html_to_text(note.prayer.body_html))


@admin.register(PrayerReport)
class PrayerReportAdmin(ReportAdmin):
    """A report with the request as readers see it, and a decision."""

    noun = "request"
    list_select_related = ["prayer", "reporter"]

    @admin.display(description="the request")
    def in_context(self, obj):
        prayer = obj.prayer
        return format_html(
            "<p><strong>{}</strong> (readers see “{}”) · {}</p><blockquote>{}</blockquote>",
            prayer.author.public_name if prayer.author else DELETED_MEMBER_NAME,
            prayer.author_label, prayer.state_label, html_to_text(prayer.body_html))
