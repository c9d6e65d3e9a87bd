"""Admin for the library's own tables (the outbox, letters from readers, suppressed
addresses), the one report screen every app's reports share (`ReportAdmin`), and
the record of who did what in admin (`record`, and its list for superusers)."""
import re

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html_join

from library.mail import outbox, relay
from library.mail.compose import kind_label
from library.models import Letter, OutboxMessage, SuppressedAddress
from library.pages.pagecache import retire
from library.rules import counted
from library.text import moderation
from library.text.markup import link_addresses

# What staff who see only bulk mail get instead of a column or field that shows an
# address whole (a mail server's answer names the recipient).
IN_PART = {"to": "to_in_part", "error": "error_in_part", "problem": "problem_in_part"}
_ADDRESS = re.compile(r"([^\s<>()\[\]\"',;:@]+)@([\w.-]+\.\w+)")


def addresses_in_part(text: str) -> str:
    """Every address in `text` as "r•••@example.org"."""
    return _ADDRESS.sub(lambda m: f"{m.group(1)[:1]}•••@{m.group(2)}", text or "")


def record(request, objects, action: str, *, flag: int = CHANGE, name=str) -> int:
    """Who did what: one entry in admin's history (`LogEntry`) per object a staff
    action or page changed, saying what was done and how many rows it changed in
    all, so a superuser reads it on each object's History page and in the list per
    person. `name` says how an object is named there (an account by its number
    alone: its personal data is about to be wiped); an address in it, as a member
    may write one in a comment, is left out."""
    objects = list(objects)
    message = without_addresses(f"{action} ({counted(len(objects), 'row')} in this action)")
    LogEntry.objects.bulk_create([
        LogEntry(user_id=request.user.pk, action_flag=flag, change_message=message,
                 content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                 object_id=str(obj.pk), object_repr=without_addresses(name(obj))[:200])
        for obj in objects
    ])
    return len(objects)


def record_read(request, model, action: str, count: int) -> None:
    """A staff action that changes nothing but takes data away (an export): one entry
    on the model's kind with no object, since it concerns many rows at once."""
    LogEntry.objects.create(
        user_id=request.user.pk, action_flag=CHANGE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=None, object_repr=without_addresses(action)[:200],
        change_message=without_addresses(f"{action} ({counted(count, 'row')} in this action)"))


def without_addresses(text: str) -> str:
    """`text` with every email address in it replaced: the record of who did what
    keeps no one's address."""
    return _ADDRESS.sub("(an address)", text)


def links_as_text(html: str) -> str:
    """Where each link of a member's text leads (what holds it for staff), one a line,
    escaped and never a live link: a moderator reads an address before any visit."""
    return format_html_join("\n", "<code>{}</code><br>", ((a,) for a in link_addresses(html)))


class KindFilter(admin.SimpleListFilter):
    """Kinds of mail in the words of the list's column, and only the kinds this
    staff member may see (`OutboxMessage.objects.visible_to`)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list(
            "kind", flat=True).distinct()
        return sorted(((kind, kind_label(kind)) for kind in kinds), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class RecordAdmin(admin.ModelAdmin):
    """A record the site keeps (a mail, a reader's letter): read in admin, never added
    or deleted there, and filtered only on FILTERABLE, since a filter on a text field
    (?body__contains=) would read a link or an address one letter at a time."""

    FILTERABLE = {"status", "status__exact", "kind", "kind__exact", "created_at__gte",
                  "created_at__lt", "created_at__day", "created_at__month",
                  "created_at__year"}

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.FILTERABLE

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A notice of a changed password must not be made to vanish before it goes.
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RecordAdmin):
    """The site's mail: waiting, sent, or failed with the mail server's answer.
    Security mails (confirmations, password resets) show only their recipient,
    kind and status: their links open an account. Staff allowed to view bulk mail
    (Editors) see the mail sent to many, read-only; to them any other mail does not
    exist (`OutboxMessage.objects.visible_to`). Each reader's copy carries that
    reader's own links (to leave, to pray in their name), so Editors see how each
    copy stands and its subject, not its text, and each address only in part."""

    list_display = ["created_at", "kind_label", "to", "status", "tries", "sent_at", "problem"]
    list_filter = ["status", KindFilter]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    actions = ["try_again"]
    change_form_template = "admin/library/outboxmessage/change_form.html"
    ENVELOPE = ["kind_label", "to", "status", "tries", "created_at", "next_try_at", "sent_at",
                "error", "message_id"]

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, message):
        return message.get_kind_display()

    @admin.display(description="problem")
    def problem(self, message):
        return message.error[:120] if message.status != OutboxMessage.Status.SENT else ""

    @admin.display(description="problem")
    def problem_in_part(self, message):
        return addresses_in_part(self.problem(message))

    @admin.display(description="recipient")
    def to_in_part(self, message):
        return message.to_in_part

    @admin.display(description="error")
    def error_in_part(self, message):
        return addresses_in_part(message.error)

    @staticmethod
    def _sees_all(request) -> bool:
        return request.user.has_perm("library.view_outboxmessage")

    def get_list_display(self, request):
        if self._sees_all(request):
            return self.list_display
        return [IN_PART.get(name, name) for name in self.list_display]

    def get_search_fields(self, request):
        return self.search_fields if self._sees_all(request) else []

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or (
            request.user.has_perm("library.view_bulk_mail") and (obj is None or obj.is_bulk))

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Admin answers a mail outside the queryset with a redirect and a message
        # that it may have been deleted; a mail this user may not see is not found.
        if self.get_object(request, object_id) is None:
            raise Http404("No such mail.")
        return super().change_view(request, object_id, form_url, extra_context)

    def get_fields(self, request, obj=None):
        if not self._sees_all(request):
            return [IN_PART.get(name, name) for name in self.ENVELOPE] + ["subject"]
        if obj is not None and obj.is_security:
            return self.ENVELOPE
        return [*self.ENVELOPE, "subject", "body"]

    @admin.action(description="Try the selected failed mail again", permissions=["change"])
    def try_again(self, request, queryset):
        failed = list(queryset.filter(status=OutboxMessage.Status.FAILED).values_list(
            "pk", flat=True))
        count = outbox.try_again(queryset)
        record(request, queryset.filter(pk__in=failed).exclude(
            status=OutboxMessage.Status.FAILED), "Tried again (failed mail)",
            name=lambda message: f"{message.get_kind_display()} #{message.pk}")
        if count:
            self.message_user(request, f"{counted(count, 'failed mail')} will be sent again "
                              "shortly.", messages.SUCCESS)
        else:
            self.message_user(request, "None of the selected mails can be sent again: "
                              "only failed mail whose text is kept can. A member who needs "
                              "a new link can ask for it again.", messages.WARNING)

    def get_urls(self):
        return [
            path("<int:pk>/try-again/", self.admin_site.admin_view(self.try_again_view),
                 name="library_outboxmessage_try_again"),
            *super().get_urls(),
        ]

    def try_again_view(self, request, pk):
        message = get_object_or_404(OutboxMessage, pk=pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, message):
            raise PermissionDenied
        self.try_again(request, OutboxMessage.objects.filter(pk=message.pk))
        return redirect("admin:library_outboxmessage_change", message.pk)


@admin.register(Letter)
class LetterAdmin(RecordAdmin):
    """Letters readers wrote through the site's forms, read-only. Staff send on or
    discard those held for their links. The reader's address is shown whole only to
    staff allowed to see it (`view_letter_sender`); others see it in part, and
    nobody can search or filter by it (a filter would read it letter by letter)."""

    list_display = ["created_at", "subject", "sender_name", "sender", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    actions = ["send_on", "discard"]
    FIELDS = ["created_at", "kind", "status", "to_name", "sender_name", "sender", "subject",
              "body", "decided_at", "decided_by"]

    @admin.display(description="reader's address")
    def sender(self, letter):
        return letter.sender_email

    @admin.display(description="reader's address")
    def sender_in_part(self, letter):
        return letter.sender_in_part

    @staticmethod
    def _sender_column(request) -> str:
        return "sender" if request.user.has_perm("library.view_letter_sender") \
            else "sender_in_part"

    def get_list_display(self, request):
        return [self._sender_column(request) if name == "sender" else name
                for name in self.list_display]

    def get_fields(self, request, obj=None):
        return [self._sender_column(request) if name == "sender" else name
                for name in self.FIELDS]

    @admin.action(description="Send the selected letters on", permissions=["change"])
    def send_on(self, request, queryset):
        held = list(queryset.held().values_list("pk", flat=True))
        count = relay.send_on(queryset, by=request.user)
        record(request, queryset.filter(pk__in=held, status=Letter.Status.SENT),
               "Sent on (held letter)", name=lambda letter: f"Letter #{letter.pk}")
        self.message_user(request, f"{count} held letters will be sent on shortly."
                          if count else "None of the selected letters was waiting.",
                          messages.SUCCESS if count else messages.WARNING)

    @admin.action(description="Discard the selected letters", permissions=["change"])
    def discard(self, request, queryset):
        held = list(queryset.held().values_list("pk", flat=True))
        count = relay.discard(queryset, by=request.user)
        record(request, queryset.filter(pk__in=held, status=Letter.Status.DISCARDED),
               "Discarded (held letter)", name=lambda letter: f"Letter #{letter.pk}")
        self.message_user(request, f"{count} held letters were discarded."
                          if count else "None of the selected letters was waiting.",
                          messages.SUCCESS if count else messages.WARNING)


class ModerationActionsMixin:
    """Approve and remove: the actions of every admin list of what members write
    (comments, prayer requests, prayers for leaders). Each goes through its app's
    service, `approve_rows` or `remove_rows` ((queryset, *, by) -> rows changed), and
    is recorded on each row it changed (`record`), in the app's words: "Approved
    (held `noun`)", "3 `counted_as`s removed"."""

    noun = "item"
    counted_as = "item"
    actions = ["approve", "remove"]

    approve_rows = remove_rows = None  # staticmethod(the app's service)

    @admin.action(description="Approve selected %(verbose_name_plural)s",
                  permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, self.approve_rows, moderation.Status.PUBLISHED,
                       f"Approved (held {self.noun})", "approved")

    @admin.action(description="Remove selected %(verbose_name_plural)s from the site",
                  permissions=["change"])
    def remove(self, request, queryset):
        self._moderate(request, queryset, self.remove_rows, moderation.Status.REMOVED,
                       f"Removed from the site ({self.noun})", "removed")

    def _moderate(self, request, queryset, service, status, action: str, done: str) -> None:
        # Only the rows this action changed are recorded: one already as asked is not.
        changing = list(queryset.exclude(status=status).values_list("pk", flat=True))
        count = service(queryset, by=request.user)
        record(request, queryset.filter(pk__in=changing, status=status), action)
        self.message_user(request, f"{counted(count, self.counted_as)} {done}.",
                          messages.SUCCESS)


class OpenReportsFilter(admin.SimpleListFilter):
    """Open reports by default: a handled report leaves the list that needs work."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def choices(self, changelist):
        current = self.value() or "open"
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class ReportAdmin(admin.ModelAdmin):
    """One place to moderate a report of what a member wrote (library.text.moderation):
    the item in its context (`in_context`, per app), and a decision that settles it."""

    noun = "item"
    list_display = ["excerpt", "reason", "reporter_name", "created_at", "decision"]
    list_filter = [OpenReportsFilter, "reason"]
    fields = ["in_context", "reason", "detail", "reporter_name", "created_at", "decision",
              "resolved_at", "resolved_by"]
    readonly_fields = fields
    change_form_template = "admin/moderation/report_change_form.html"
    DECISIONS = {"_keep": "kept", "_remove": "removed", "_dismiss": "dismissed"}

    def has_add_permission(self, request):
        return False

    def render_change_form(self, request, context, *args, **kwargs):
        context["noun"] = self.noun
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description="reported")
    def excerpt(self, obj):
        return str(obj.item)

    @admin.display(description="reporter")
    def reporter_name(self, obj):
        return obj.reporter.public_name

    @admin.display(description="decision")
    def decision(self, obj):
        return obj.get_resolution_display() if obj.resolution else "Open"

    def response_change(self, request, obj):
        decision = next((key for key in self.DECISIONS if key in request.POST), None)
        if decision and self.has_change_permission(request, obj):
            items = type(obj.item).objects.filter(pk=obj.item.pk)
            if decision == "_keep":
                moderation.approve(items, report_model=type(obj), by=request.user)
            elif decision == "_remove":
                moderation.remove(items, report_model=type(obj), by=request.user)
            else:
                moderation.dismiss_report(obj, by=request.user)
            record(request, [obj], f"Decided: the {self.noun} was {self.DECISIONS[decision]}"
                   f" ({type(obj.item).__name__} #{obj.item.pk})")
            self.message_user(
                request, f"Done: the {self.noun} was {self.DECISIONS[decision]}"
                + (" (its other reports stay open)." if decision == "_dismiss" else "."),
                messages.SUCCESS,
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return super().response_change(request, obj)


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    """Addresses that get no bulk mail: reported by the mail provider (bounced for
    good, or marked as spam), or added by staff. Delete one to mail it again."""

    list_display = ["email", "reason", "detail", "created_at"]
    list_filter = ["reason", "created_at"]
    search_fields = ["email"]
    fields = ["email", "reason", "detail", "created_at"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        if not outbox.suppress(obj.email, obj.reason, obj.detail):  # its waiting mail too
            self.message_user(request, "That address was suppressed already.",
                              messages.INFO)
        obj.pk = SuppressedAddress.objects.filter(email__iexact=obj.email).values_list(
            "pk", flat=True).first()


class RetirePagesAdminMixin:
    """Staff changes in admin to what pages show retire the cached pages."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        retire()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        retire()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        retire()


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    """Who did what in admin, for superusers only: every entry of every staff member,
    filtered by person, kind of action, kind of object and date. Read-only: a record
    that could be edited would prove nothing."""

    list_display = ["action_time", "user", "action_flag", "content_type", "object_repr",
                    "what"]
    list_filter = [("user", admin.RelatedOnlyFieldListFilter), "action_flag",
                   ("content_type", admin.RelatedOnlyFieldListFilter), "action_time"]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr"]
    date_hierarchy = "action_time"
    fields = ["action_time", "user", "action_flag", "content_type", "object_id",
              "object_repr", "what"]
    readonly_fields = fields

    @admin.display(description="what")
    def what(self, entry):
        return entry.get_change_message()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
