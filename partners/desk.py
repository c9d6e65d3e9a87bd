"""The giving desk's reads, for staff in admin: who gives monthly and how much, who
needs a call, who began or stopped this month, gifts month by month with their bar
chart, pledges from before online giving, and the accountant's CSV. Each read is one
query whatever the number of gifts; months and times are the site's time zone's."""
import csv
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Lower, TruncMonth
from django.utils import timezone

from .models import Gift, Partner, PartnerPledge, cents_display
from .statements import year_bounds

LISTED = 100  # partners a list shows; the Partners list in admin has them all
PLEDGES_LISTED = 50
MONTHS = 24
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def month_start(moment: datetime | None = None) -> datetime:
    """The first moment of this month (of `moment`'s), in the site's time zone."""
    local = timezone.localtime(moment or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _months_back(start: datetime, count: int) -> datetime:
    """The first moment of the month `count` months before `start`'s."""
    index = start.year * 12 + start.month - 1 - count
    return timezone.make_aware(datetime(index // 12, index % 12 + 1, 1),
                               timezone.get_current_timezone())


def totals() -> dict:
    """How many partners give monthly and what that comes to, and how many are past
    due: one query."""
    active = Q(subscription_status=Partner.Subscription.ACTIVE)
    found = Partner.objects.aggregate(
        active=Count("pk", filter=active),
        monthly_cents=Sum("monthly_amount_cents", filter=active, default=0),
        past_due=Count("pk", filter=Q(subscription_status=Partner.Subscription.PAST_DUE)),
    )
    return {**found, "monthly_display": cents_display(found["monthly_cents"])}


def active_partners() -> list[Partner]:
    return list(Partner.objects.filter(subscription_status=Partner.Subscription.ACTIVE)
                .order_by("last_name", "first_name", "pk")[:LISTED])


def to_call_and_stopped(since: datetime) -> tuple[list[Partner], list[Partner]]:
    """Partners past due, the longest waiting first, and those whose monthly gift
    ended since `since`: one query."""
    found = list(Partner.objects.filter(
        Q(subscription_status=Partner.Subscription.PAST_DUE) | Q(stopped_at__gte=since))
        .order_by("payment_failed_at", "stopped_at", "pk")[:2 * LISTED])
    past_due = [p for p in found if p.subscription_status == Partner.Subscription.PAST_DUE]
    stopped = sorted((p for p in found if p.stopped_at and p.stopped_at >= since),
                     key=lambda p: p.stopped_at, reverse=True)
    return past_due[:LISTED], stopped[:LISTED]


def new_partners(since: datetime) -> list[Partner]:
    """Partners whose first gift came since `since`, newest first."""
    return list(Partner.objects.annotate(first_gift=Min("gifts__given_at"))
                .filter(first_gift__gte=since).order_by("-first_gift", "-pk")[:LISTED])


@dataclass
class Month:
    start: datetime
    count: int = 0
    cents: int = 0
    refunded_cents: int = 0

    @property
    def kept_cents(self) -> int:
        return max(self.cents - self.refunded_cents, 0)

    @property
    def kept_display(self) -> str:
        return cents_display(self.kept_cents)

    @property
    def refunded_display(self) -> str:
        return cents_display(self.refunded_cents)


def gifts_by_month(now: datetime | None = None, months: int = MONTHS) -> list[Month]:
    """The last `months` months, this one included, oldest first, each with its gifts'
    count and sums in cents (months without gifts too): one query."""
    this = month_start(now)
    start = _months_back(this, months - 1)
    rows = (Gift.objects.filter(given_at__gte=start)
            .annotate(month=TruncMonth("given_at", tzinfo=timezone.get_current_timezone()))
            .values("month").order_by("month")
            .annotate(count=Count("pk"), cents=Sum("amount_cents"),
                      refunded=Sum("refunded_cents")))
    found = {(row["month"].year, row["month"].month): row for row in rows}
    table = []
    for back in range(months - 1, -1, -1):
        first = _months_back(this, back)
        row = found.get((first.year, first.month))
        table.append(Month(start=first, count=row["count"], cents=row["cents"] or 0,
                           refunded_cents=row["refunded"] or 0) if row else Month(start=first))
    return table


def chart(months: list[Month], *, width: int = 720, height: int = 200) -> dict:
    """The bars of a simple bar chart of what was kept each month, for the template
    to draw as SVG: each bar's place and height in the picture's own units."""
    top = max((month.kept_cents for month in months), default=0) or 1
    slot = width / max(len(months), 1)
    bars = []
    for index, month in enumerate(months):
        tall = round(month.kept_cents / top * (height - 20), 1)
        bars.append({"x": round(index * slot + 2, 1), "y": round(height - tall, 1),
                     "width": round(slot - 4, 1), "height": tall, "month": month,
                     "label_x": round(index * slot + slot / 2, 1)})
    return {"width": width, "height": height, "bars": bars, "top": cents_display(top)}


def past_pledges() -> tuple[list[PartnerPledge], dict[int, Partner]]:
    """Pledges recorded before online giving (no checkout was opened for them), newest
    first, and for each not yet linked the partner who gives online with its email
    address, if any: two queries."""
    pledges = list(PartnerPledge.objects.filter(checkout_session_id="")
                   .select_related("partner").order_by("-created_at")[:PLEDGES_LISTED])
    emails = {pledge.email.lower() for pledge in pledges if pledge.partner_id is None}
    partners = {}
    if emails:
        for partner in (Partner.objects.annotate(address=Lower("email"))
                        .filter(address__in=emails).order_by("-pk")):
            partners[partner.address] = partner  # the first made wins
    return pledges, {pledge.pk: partners[pledge.email.lower()] for pledge in pledges
                     if pledge.partner_id is None and pledge.email.lower() in partners}


def csv_safe(value) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @ would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def write_gifts_csv(out, year: int) -> int:
    """The gifts of `year` for the accountant, one a row, oldest first: times in the
    site's time zone, named in the header; amounts in dollars and cents. Returns the
    number of gifts."""
    zone = timezone.get_current_timezone_name()
    writer = csv.writer(out)
    writer.writerow([f"given ({zone})", "partner number", "first_name", "last_name", "kind",
                     "amount", "refunded", "counted", "currency", "status", "stripe invoice",
                     "stripe payment"])
    start, end = year_bounds(year)
    count = 0
    for gift in (Gift.objects.filter(given_at__gte=start, given_at__lt=end)
                 .select_related("partner").order_by("given_at", "pk").iterator(2000)):
        count += 1
        writer.writerow([
            timezone.localtime(gift.given_at).isoformat(timespec="seconds"),
            gift.partner_id, csv_safe(gift.partner.first_name), csv_safe(gift.partner.last_name),
            gift.kind, _dollars(gift.amount_cents), _dollars(gift.refunded_cents),
            _dollars(gift.kept_cents), gift.currency.upper(), gift.status,
            gift.stripe_invoice_id or "", gift.stripe_payment_intent_id or ""])
    return count


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
