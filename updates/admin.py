import hashlib

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin

from library.admin import record
from library.mail.compose import render_mail, render_mail_html
from library.pages import pagecache
from library.rules import counted
from library.text.markup import clean_plain_text

from . import mailings, services
from .models import ARCHIVE, Edition, Mailing, Subscriber, Timetable


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

    list_display = ["email", "member", "daily", "weekly", "state", "urgent", "answered",
                    "confirmed_at", "left_at"]
    list_filter = ["daily", "weekly", "urgent", "answered", "state", "confirmed_at", "left_at"]
    list_select_related = ["member", "state"]
    search_fields = ["email"]
    readonly_fields = ["email", "member", "daily", "weekly", "state", "urgent", "answered",
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
        fields = ["subject", "body", "post", "audience", "state", "prayer", "send_at",
                  "show_in_archive"]
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
        if self.instance.pk and self.instance.status != Mailing.Status.DRAFT:
            return send_at  # clean() refuses any change to it
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
        # Whether it is in the web archive may change at any time; nothing else once it
        # has gone out or is scheduled.
        if (self.instance.pk and self.instance.status != Mailing.Status.DRAFT
                and set(self.changed_data) - {"show_in_archive"}):
            raise forms.ValidationError("This mailing has gone out (or is scheduled); it can "
                                        "no longer be changed, but for whether it is shown "
                                        "in the web archive.")
        return data


# The preview's frame holds the mail and nothing of the site: its inline styles
# and images as a mail program shows them, no script, no form, framed only by the
# admin's own preview page. Every other page keeps the site's policy.
MAIL_FRAME_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": [SELF, "data:", "https:"],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "sandbox": True,
}


def _as_shown(mailing: Mailing) -> str:
    """A short fingerprint of what the confirmation page showed: if the letter, its
    audience or its time changed before the button was pressed, it is asked again."""
    shown = [mailing.subject, mailing.body, mailing.post_id, mailing.audience,
             mailing.state_id, mailing.prayer_id,
             mailing.send_at.isoformat() if mailing.send_at else ""]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _when(moment) -> str:
    """A moment in the site's time zone, as staff read it: "Saturday, June 14, 2025
    at 7:00 PM (America/New_York)"."""
    local = timezone.localtime(moment)
    return (f"{dateformat.format(local, 'l, F j, Y')} at {dateformat.format(local, 'g:i A')} "
            f"({timezone.get_current_timezone_name()})")


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Letters to subscribers: write, preview, send a test to yourself, then send now
    or at a set time, after a page that says who gets it and how many; a scheduled
    mailing can be stopped until its time. Progress shows how the copies stand in
    the outbox."""

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
        ("On the web", {"fields": ["show_in_archive"]}),
        ("Progress", {"fields": ["status", "progress_shown", "started_at", "done_at"]}),
    ]

    @admin.display(description="reaches")
    def reach(self, obj):
        if not obj.pk:
            return "Save to see how many subscribers this reaches."
        # One count here; the page before sending reads the whole audience, as the
        # mailing will, for the number that goes.
        count = mailings.audience(obj).count()
        return (f"{counted(count, 'subscriber')} in this audience" if count
                else "Nobody yet: there is no one in this audience to send to.")

    @admin.display(description="copies")
    def progress_shown(self, obj):
        if not obj.pk or obj.status == Mailing.Status.DRAFT:
            return "Not sent yet."
        if obj.status == Mailing.Status.SCHEDULED:
            if obj.send_at > timezone.now():
                return (f"Goes out on {_when(obj.send_at)}. Until then, “Stop this mailing” "
                        "above makes it a draft again.")
            return "Its time has come: it is going out and can no longer be stopped."
        counts = mailings.progress(obj)
        return (f"{obj.recorded:,} recorded: {counts['sent']:,} sent, {counts['waiting']:,} "
                f"waiting, {counts['failed']:,} failed")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_stop"] = bool(obj and obj.status == Mailing.Status.SCHEDULED
                                   and obj.send_at > timezone.now())
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        if obj.status == Mailing.Status.DRAFT:
            mailings.render(obj)  # a letter that went out stays as its readers got it
        super().save_model(request, obj, form, change)
        if "show_in_archive" in form.changed_data:
            pagecache.retire(ARCHIVE)

    def get_urls(self):
        own = [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview),
                 name="updates_mailing_preview"),
            path("<int:pk>/preview/email/", self.admin_site.admin_view(self.preview_email),
                 name="updates_mailing_preview_email"),
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

    def _page(self, request, template, mailing, title, **context):
        return TemplateResponse(request, f"admin/updates/mailing/{template}", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": title,
            "mailing": mailing, "original": mailing, **context})

    def preview(self, request, pk):
        """The letter as readers will see it: its HTML part in a sandboxed frame (the
        frame's own page, `preview_email`), and beside it its text part."""
        mailing = self._mailing(request, pk)
        subject, text = render_mail("updates/email/mailing", mailings.context(mailing, "#"))
        return self._page(request, "preview.html", mailing, f"Preview: {mailing.subject}",
                          subject=subject, text=text)

    @csp(MAIL_FRAME_POLICY)
    @xframe_options_sameorigin
    def preview_email(self, request, pk):
        """The letter's HTML part alone, as a mail program gets it, for the preview's
        frame: under a policy of its own, since the site's forbids the inline styles
        every mail is written with."""
        mailing = self._mailing(request, pk)
        return HttpResponse(render_mail_html("updates/email/mailing",
                                             mailings.context(mailing, "#")))

    def unschedule(self, request, pk):
        """Stop a scheduled mailing before its time: a draft again, to be corrected or
        sent another time."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        if mailings.unschedule(mailing):
            record(request, [mailing], "Stopped (scheduled mailing made a draft again)")
            self.message_user(request, "Stopped: it will not go out. It is a draft again, to "
                              "correct or to send another time.", messages.SUCCESS)
        elif mailing.status == Mailing.Status.SCHEDULED:
            self.message_user(request, "Its time has come: it is going out and can no longer "
                              "be stopped.", messages.ERROR)
        else:
            self.message_user(request, "This mailing is not scheduled, so there is nothing to "
                              "stop.", messages.WARNING)
        return redirect("admin:updates_mailing_change", pk)

    def test(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        mailings.send_test(mailing, to=request.user)
        record(request, [mailing], "Sent a test copy to the staff member's own address")
        self.message_user(request, "A test copy is on its way to your address.",
                          messages.SUCCESS)
        return redirect("admin:updates_mailing_change", pk)

    def send(self, request, pk):
        """Sending asks first: GET shows who gets it and how many (the number the
        fan-out will mail), and only the POST of that page, carrying the number and
        the letter it showed, sends or schedules it. Anything else sends nothing."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        mailing = self._mailing(request, pk)
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        if mailing.status != Mailing.Status.DRAFT:
            self.message_user(request, "This mailing has gone out already, or is scheduled: "
                              "nothing more was sent.", messages.WARNING)
            return redirect("admin:updates_mailing_change", pk)
        try:
            count = mailings.check(mailing)
        except mailings.CannotSend as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect("admin:updates_mailing_change", pk)
        if request.method == "POST":
            refusal = self._not_confirmed(request, mailing, count)
            if refusal is None:
                return self._start(request, mailing, count)
            self.message_user(request, refusal, messages.WARNING)
            return redirect("admin:updates_mailing_send", pk)
        everyone = mailings.audience(mailing).count()
        return self._page(
            request, "send.html", mailing,
            f"{'Schedule' if mailing.send_at else 'Send'} “{mailing.subject}”?",
            count=count, count_shown=f"{count:,}", left_out=max(0, everyone - count),
            shown=_as_shown(mailing), when=_when(mailing.send_at) if mailing.send_at else "",
            change_url=reverse("admin:updates_mailing_change", args=[pk]))

    @staticmethod
    def _not_confirmed(request, mailing, count) -> str | None:
        """Why this POST is not a confirmation of the mailing as it stands, or None."""
        confirmed, shown = request.POST.get("confirm"), request.POST.get("shown")
        if confirmed is None or shown is None:
            return ("Nothing was sent: a mailing goes only from this page, once you have "
                    "seen who gets it. Check it below, then press the button.")
        if shown != _as_shown(mailing):
            return ("Nothing was sent: the mailing changed since you looked (its letter, "
                    "audience or time). Check it again below.")
        if confirmed != str(count):
            return (f"Nothing was sent: the number of readers changed since you looked. It "
                    f"is now {count:,}, not {confirmed[:12]}. Check it again below.")
        return None

    def _start(self, request, mailing, count):
        try:
            mailing = mailings.start(mailing)
        except mailings.CannotSend as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            if mailing.status == Mailing.Status.SCHEDULED:
                record(request, [mailing], f"Scheduled for {_when(mailing.send_at)}, "
                       f"confirmed for {counted(count, 'subscriber')}")
            elif mailing.status == Mailing.Status.SENDING:
                record(request, [mailing], f"Sent now, confirmed for "
                       f"{counted(count, 'subscriber')}")
            self.message_user(request, {
                Mailing.Status.SCHEDULED: "Scheduled: it goes out at the time you set. Until "
                                          "then you can stop it here.",
                Mailing.Status.SENDING: "Sending now: progress shows below.",
                Mailing.Status.SENT: "This mailing has been sent already; nothing more was sent.",
            }[mailing.status], messages.SUCCESS)
        return redirect("admin:updates_mailing_change", mailing.pk)
