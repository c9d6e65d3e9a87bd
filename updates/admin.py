from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from library.mail.compose import render_mail_html
from library.text.markup import clean_plain_text

from . import mailings, services
from .models import Edition, Mailing, Subscriber, Timetable


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

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a record of what went out; its copies are in the outbox


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


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["subject", "body", "post", "audience", "state", "prayer", "send_at"]
        error_messages = {"subject": {"required": "Please write a subject."},
                          "body": {"required": "Please write the letter."}}

    def clean_subject(self):
        subject = clean_plain_text(self.cleaned_data["subject"])
        if not subject:
            raise forms.ValidationError("Please write a subject.")
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Please write the letter.")
        return body

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at and send_at <= timezone.now():
            raise forms.ValidationError("That time has passed. Choose a time ahead, or leave "
                                        "it empty and press “Send now”.")
        return send_at

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == Mailing.Audience.STATE and not data.get("state"):
            self.add_error("state", "Choose the state whose subscribers get this.")
        if audience == Mailing.Audience.PRAYED and not data.get("prayer"):
            self.add_error("prayer", "Choose the prayer (a post's, or a request) they prayed.")
        if self.instance.pk and self.instance.status != Mailing.Status.DRAFT:
            raise forms.ValidationError("This mailing has gone out (or is scheduled); it can "
                                        "no longer be changed.")
        return data


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Letters to subscribers: write, preview, send a test to yourself, then send now
    or at a set time. Progress shows how the copies stand in the outbox."""

    form = MailingForm
    change_form_template = "admin/updates/mailing/change_form.html"

    class Media:
        css = {"all": ["css/admin-mailing.css"]}
    list_display = ["subject", "audience", "status", "send_at", "recorded", "done_at"]
    list_filter = ["status", "audience"]
    autocomplete_fields = ["post", "state", "prayer"]
    readonly_fields = ["status", "reach", "progress_shown", "started_at", "done_at"]
    fieldsets = [
        (None, {"fields": ["subject", "body", "post"]}),
        ("Who gets it", {"fields": ["audience", "state", "prayer", "reach"]}),
        ("When", {"fields": ["send_at"]}),
        ("Progress", {"fields": ["status", "progress_shown", "started_at", "done_at"]}),
    ]

    @admin.display(description="reaches")
    def reach(self, obj):
        if not obj.pk:
            return "Save to see how many subscribers this reaches."
        count = mailings.audience(obj).count()
        return (f"{count:,} subscriber(s)" if count
                else "Nobody yet: there is no one in this audience to send to.")

    @admin.display(description="copies")
    def progress_shown(self, obj):
        if not obj.pk or obj.status == Mailing.Status.DRAFT:
            return "Not sent yet."
        counts = mailings.progress(obj)
        return (f"{obj.recorded:,} recorded: {counts['sent']:,} sent, {counts['waiting']:,} "
                f"waiting, {counts['failed']:,} failed")

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        mailings.render(obj)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview),
                 name="updates_mailing_preview"),
            path("<int:pk>/test/", self.admin_site.admin_view(self.test),
                 name="updates_mailing_test"),
            path("<int:pk>/send/", self.admin_site.admin_view(self.send),
                 name="updates_mailing_send"),
            path("<int:pk>/unschedule/", self.admin_site.admin_view(self.unschedule),
                 name="updates_mailing_unschedule"),
        ]
        return own + super().get_urls()

    def _mailing(self, request, pk):
        mailing = self.get_object(request, str(pk))
        if mailing is None or not self.has_view_permission(request, mailing):
            raise Http404("No such mailing.")
        return mailing

    def preview(self, request, pk):
        """The letter as readers will see it, in the browser."""
        mailing = self._mailing(request, pk)
        return HttpResponse(render_mail_html("updates/email/mailing",
                                             mailings.context(mailing, "#")))

    def unschedule(self, request, pk):
        """Back to a draft, to be corrected or sent another time."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        mailings.unschedule(mailing)
        self.message_user(request, "Unscheduled: it is a draft again.", messages.SUCCESS)
        return redirect("admin:updates_mailing_change", pk)

    def test(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        mailings.send_test(mailing, to=request.user)
        self.message_user(request, "A test copy is on its way to your address.",
                          messages.SUCCESS)
        return redirect("admin:updates_mailing_change", pk)

    def send(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        try:
            mailing = mailings.start(mailing)
        except mailings.CannotSend as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(request, {
                Mailing.Status.SCHEDULED: "Scheduled: it goes out at the time you set.",
                Mailing.Status.SENDING: "Sending now: progress shows below.",
                Mailing.Status.SENT: "This mailing has been sent already; nothing more was sent.",
            }[mailing.status], messages.SUCCESS)
        return redirect("admin:updates_mailing_change", pk)
