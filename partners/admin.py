import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from library.admin import record, record_read

from . import desk, statements
from .desk import csv_safe
from .models import Gift, GivingAlert, Partner, PartnerPledge, ProcessedEvent, YearStatement
from .services import link_pledge


def dollars(amount) -> str:
    """Money as staff read it: "$1,000.00"."""
    return f"${amount:,.2f}"


@admin.register(PartnerPledge)
class PartnerPledgeAdmin(admin.ModelAdmin):
    list_display = ["reference", "first_name", "last_name", "amount_shown", "frequency", "state",
                    "status", "created_at"]
    list_filter = ["status", "frequency", "state", "created_at"]
    list_select_related = ["state"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    fields = ["reference", "status", "staff_note", "first_name", "last_name", "email", "phone",
              "state", "amount_shown", "frequency", "wants_emails", "member", "created_at",
              "updated_at"]
    readonly_fields = ["reference", "first_name", "last_name", "email", "phone", "state",
                       "amount_shown", "frequency", "wants_emails", "member", "created_at",
                       "updated_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="amount", ordering="amount")
    def amount_shown(self, pledge):
        return dollars(pledge.amount)

    def changelist_view(self, request, extra_context=None):
        monthly = PartnerPledge.objects.filter(frequency=PartnerPledge.Frequency.MONTHLY)
        totals = {
            # New pledges wait for follow-up; only active ones are money coming in.
            "new_monthly": monthly.filter(status=PartnerPledge.Status.NEW)
            .aggregate(total=Sum("amount"), count=Count("id")),
            "active_monthly": monthly.filter(status=PartnerPledge.Status.ACTIVE)
            .aggregate(total=Sum("amount"), count=Count("id")),
        }
        extra_context = {**(extra_context or {}), **totals}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description="Export selected pledges as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="partner-pledges.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
        writer = csv.writer(response)
        # Times in the site's time zone, as admin shows them, named in the header.
        zone = timezone.get_current_timezone_name()
        writer.writerow(["reference", f"created ({zone})", "status", "first_name", "last_name",
                         "email", "phone", "state", "amount", "frequency", "wants_emails",
                         "staff_note"])
        pledges = list(queryset.select_related("state").order_by("created_at"))
        # Nothing changes, but the pledgers' names and addresses leave the site: who
        # took which (by reference), and when, is kept.
        record_read(request, PartnerPledge, "Exported as CSV: " + ", ".join(
            pledge.reference for pledge in pledges), len(pledges))
        for pledge in pledges:
            writer.writerow([
                pledge.reference,
                timezone.localtime(pledge.created_at).isoformat(timespec="seconds"),
                pledge.status,
                csv_safe(pledge.first_name),
                csv_safe(pledge.last_name),
                csv_safe(pledge.email),
                csv_safe(pledge.phone),
                pledge.state.code if pledge.state else "",
                f"{pledge.amount:.2f}",
                pledge.frequency,
                "yes" if pledge.wants_emails else "no",
                csv_safe(pledge.staff_note),
            ])
        return response


class GiftInline(admin.TabularInline):
    model = Gift
    extra = 0
    can_delete = False
    fields = readonly_fields = ["given_at", "kind", "amount_display", "currency", "status",
                                "refunded_display"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Partners as Stripe's events made them: nothing here is typed by staff, so a
    gift can only ever say what the payment provider reported."""

    list_display = ["__str__", "subscription_status", "monthly_shown", "created_at"]
    list_filter = ["subscription_status", "created_at"]
    search_fields = ["first_name", "last_name", "email", "stripe_customer_id"]
    fields = readonly_fields = ["first_name", "last_name", "email", "member",
                                "subscription_status", "monthly_shown", "stripe_customer_id",
                                "stripe_subscription_id", "created_at", "updated_at"]
    inlines = [GiftInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="monthly gift")
    def monthly_shown(self, partner):
        if partner.monthly_amount_cents is None:
            return "—"
        return Gift(amount_cents=partner.monthly_amount_cents).amount_display


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    """Gifts as Stripe's events recorded them, and the giving desk: one page where
    staff who may see gifts find who gives, who stopped and who needs a call."""

    list_display = ["given_at", "partner", "kind", "amount_display", "status", "refunded_display"]
    list_filter = ["kind", "status", "given_at"]
    list_select_related = ["partner"]
    search_fields = ["partner__first_name", "partner__last_name", "partner__email",
                     "stripe_invoice_id", "stripe_payment_intent_id"]
    date_hierarchy = "given_at"
    fields = readonly_fields = ["partner", "kind", "amount_display", "currency", "given_at",
                                "status", "refunded_display", "stripe_invoice_id",
                                "stripe_checkout_session_id", "stripe_payment_intent_id",
                                "stripe_charge_id", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path("desk/", self.admin_site.admin_view(self.desk_view),
                 name="partners_gift_desk"),
            path("desk/gifts.csv", self.admin_site.admin_view(self.export_view),
                 name="partners_gift_export"),
            path("desk/pledges/<int:pk>/gives-online/",
                 self.admin_site.admin_view(self.gives_online_view),
                 name="partners_gift_gives_online"),
        ]
        return own + super().get_urls()

    def _may_see(self, request):
        # Who may see gifts may use the desk (superusers; Editors see no gifts).
        if not self.has_view_permission(request):
            raise PermissionDenied

    def desk_view(self, request):
        self._may_see(request)
        this_month = desk.month_start()
        past_due, stopped = desk.to_call_and_stopped(this_month)
        months = desk.gifts_by_month()
        pledges, matches = desk.past_pledges()
        this_year = timezone.localdate().year
        return TemplateResponse(request, "admin/partners/desk.html", {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": "Giving desk", "totals": desk.totals(),
            "active": desk.active_partners(), "past_due": past_due, "stopped": stopped,
            "new": desk.new_partners(this_month), "this_month": this_month,
            "months": list(reversed(months)), "chart": desk.chart(months),
            "pledges": [(pledge, matches.get(pledge.pk)) for pledge in pledges],
            "may_link": request.user.has_perm("partners.change_partnerpledge"),
            "years": range(this_year, this_year - 6, -1), "listed": desk.LISTED,
            "zone": timezone.get_current_timezone_name(),
        })

    def export_view(self, request):
        """The gifts of one year as CSV for the accountant; who took it, and when, is
        kept in admin's history."""
        self._may_see(request)
        asked = request.GET.get("year", "")
        year = statements.statement_year(asked) if asked else timezone.localdate().year
        if year is None:
            return HttpResponse(
                f"There are no gifts to export for “{asked[:12]}”. Choose a year from "
                f"{statements.first_year()} to {timezone.localdate().year}.",
                status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="gifts-{year}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
        count = desk.write_gifts_csv(response, year)
        record_read(request, Gift, f"Exported the gifts of {year} as CSV", count)
        return response

    def gives_online_view(self, request, pk):
        """Mark a pledge from before online giving "now gives online": linked to the
        partner giving online with its email address."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("partners.change_partnerpledge"):
            raise PermissionDenied
        pledge = get_object_or_404(PartnerPledge, pk=pk)
        partner = link_pledge(pledge=pledge)
        if partner is None:
            self.message_user(request, f"Pledge {pledge.reference}: nobody gives online with "
                              "its email address yet, so it was not linked.", messages.WARNING)
        else:
            record(request, [pledge], f"Marked as now giving online (partner {partner.pk})")
            self.message_user(request, f"Pledge {pledge.reference} is now linked to {partner}, "
                              "who gives online.", messages.SUCCESS)
        return redirect("admin:partners_gift_desk")


@admin.register(GivingAlert)
class GivingAlertAdmin(admin.ModelAdmin):
    """Events that named something unknown or disagreed with our amounts: staff look,
    note what they did, and mark each resolved."""

    list_display = ["created_at", "reason", "event_type", "partner", "resolved"]
    list_filter = ["resolved", "reason"]
    fields = ["reason", "event_type", "event_id", "partner", "detail", "created_at", "resolved",
              "staff_note"]
    readonly_fields = ["reason", "event_type", "event_id", "partner", "detail", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(admin.ModelAdmin):
    list_display = ["processed_at", "event_type", "event_id"]
    search_fields = ["event_id"]
    fields = readonly_fields = ["event_id", "event_type", "processed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearStatement)
class YearStatementAdmin(admin.ModelAdmin):
    """The year-end statements the January run made, one a partner and year: what
    each said, read-only."""

    list_display = ["year", "partner", "total_display", "gift_count", "sent_at"]
    list_filter = ["year"]
    list_select_related = ["partner"]
    search_fields = ["partner__first_name", "partner__last_name"]
    fields = readonly_fields = ["partner", "year", "total_display", "gift_count", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
