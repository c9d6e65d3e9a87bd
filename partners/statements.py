"""Year-end giving statements: a partner's gifts of one year and what they came to, as a
page, a PDF and the mail the January run sends each partner who gave, and the signed
links that open one for a donor without an account. Years are the site's calendar
years (its time zone); money is summed in cents."""
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from library.mail import outbox
from library.mail.compose import render_mail

from .models import Gift, Partner, YearStatement, cents_display
from .services import PORTAL_LINK, partner_address

# Statement links in mails, for donors without an account: signed with the site's
# key for this purpose only, carrying the partner's number and the year alone.
STATEMENT_SALT = "partners.year-statement"
STATEMENT_MAX_AGE = timedelta(days=400)

# The January run: from this month, day and hour (the site's time zone) it mails last
# year's statements, and keeps looking until the end of LAST_MONTH for any it has not
# sent (a worker that was away, a gift whose event came late).
SEND_ON = (1, 15, 9)
LAST_MONTH = 3
BATCH = 500
MAIL = "partners/email/statement"


@dataclass
class Statement:
    """One partner's gifts of one year, oldest first."""

    partner: Partner | None
    year: int
    gifts: list = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        # Each gift counts for what the ministry kept of it, never less than nothing,
        # so a refund can only bring the total down to zero.
        return sum(gift.kept_cents for gift in self.gifts)

    @property
    def total_display(self) -> str:
        return cents_display(self.total_cents)

    @property
    def refunded_cents(self) -> int:
        return sum(gift.refunded_cents for gift in self.gifts)

    @property
    def refunded_display(self) -> str:
        return cents_display(self.refunded_cents)


def ministry() -> dict:
    """What every statement names: the ministry, its legal name, EIN and tax wording."""
    return {"ministry_name": settings.MINISTRY_NAME, "legal_name": settings.MINISTRY_LEGAL_NAME,
            "ein": settings.MINISTRY_EIN, "tax_notice": settings.MINISTRY_TAX_NOTICE}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moment of `year` and of the next, in the site's time zone."""
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime(year, 1, 1), zone),
            timezone.make_aware(datetime(year + 1, 1, 1), zone))


def local_year(moment: datetime) -> int:
    return timezone.localtime(moment).year


def first_year() -> int:
    """The year of the ministry's first gift given online (this year before any)."""
    first = Gift.objects.aggregate(first=Min("given_at"))["first"]
    return local_year(first) if first else timezone.localdate().year


def statement_year(text: str) -> int | None:
    """The year an address names, or None when it is no year a statement can be for:
    not a number, in the future, or before the ministry's first gift."""
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        return None
    year = int(text)
    if year > timezone.localdate().year or year < first_year():
        return None
    return year


def statement_for(partner: Partner, year: int) -> Statement:
    start, end = year_bounds(year)
    gifts = list(Gift.objects.filter(partner=partner, given_at__gte=start, given_at__lt=end)
                 .order_by("given_at", "pk"))
    return Statement(partner=partner, year=year, gifts=gifts)


def gift_years(gifts) -> list[int]:
    """The years of `gifts`, newest first."""
    return sorted({local_year(gift.given_at) for gift in gifts}, reverse=True)


# Signed links.

def statement_token(partner: Partner, year: int) -> str:
    return signing.dumps([partner.pk, year], salt=STATEMENT_SALT)


def from_token(token: str) -> tuple[Partner, int] | None:
    """The partner and year a statement link was made for; None when it was forged,
    altered or is too old."""
    try:
        pk, year = signing.loads(token, salt=STATEMENT_SALT, max_age=STATEMENT_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not (isinstance(pk, int) and isinstance(year, int)):
        return None
    partner = Partner.objects.filter(pk=pk).first()
    return (partner, year) if partner else None


def statement_url(partner: Partner, year: int) -> str:
    return settings.SITE_URL + reverse("partner:statement", args=[statement_token(partner, year)])


# The January run.

def send_due(now=None) -> int:
    """The job (hourly): from January 15, 9 a.m. in the site's time zone, until the
    end of March, mail last year's statement to every partner who gave and has not
    had it. Returns the number recorded."""
    now = timezone.localtime(now or timezone.now())
    if (now.month, now.day, now.hour) < SEND_ON or now.month > LAST_MONTH:
        return 0
    return send_statements(now.year - 1)


def send_statements(year: int, *, batch: int = BATCH) -> int:
    """Mail `year`'s statement, through the outbox, to each partner who gave in it and
    has none recorded: a few queries a batch of partners, each batch in one
    transaction with its record (`YearStatement`), so a run repeated or cut short
    sends nobody a second one. Returns the number recorded."""
    start, end = year_bounds(year)
    recorded, after = 0, 0
    while True:
        ids = list(Partner.objects.filter(pk__gt=after, gifts__given_at__gte=start,
                                          gifts__given_at__lt=end)
                   .exclude(statements__year=year)
                   .values_list("pk", flat=True).distinct().order_by("pk")[:batch])
        if not ids:
            return recorded
        recorded += _send_batch(ids, year, start, end)
        after = ids[-1]


def _send_batch(ids: list[int], year: int, start, end) -> int:
    partners = Partner.objects.select_related("member").in_bulk(ids)
    statements = {pk: Statement(partner=partners[pk], year=year) for pk in ids}
    for gift in (Gift.objects.filter(partner_id__in=ids, given_at__gte=start, given_at__lt=end)
                 .order_by("partner_id", "given_at", "pk")):
        gift.partner = partners[gift.partner_id]
        statements[gift.partner_id].gifts.append(gift)
    mails = [statement_mail(statement) for statement in statements.values()]
    with transaction.atomic():
        YearStatement.objects.bulk_create([
            YearStatement(partner_id=pk, year=year, total_cents=s.total_cents,
                          gift_count=len(s.gifts)) for pk, s in statements.items()
        ], ignore_conflicts=True)
        # The batch key makes the outbox itself refuse a second copy.
        outbox.record_many(mails)
    return len(mails)


def statement_mail(statement: Statement) -> dict:
    """The outbox's message for a statement (`outbox.record_many`)."""
    partner = statement.partner
    subject, body = render_mail(MAIL, {
        "statement": statement, "partner": partner,
        "statement_url": statement_url(partner, statement.year), **ministry()})
    # To a member's account email as it is now; its signed link shows the year's gifts
    # without logging in, so once sent the outbox keeps only its envelope.
    return {"kind": MAIL, "to": partner_address(partner), "subject": subject, "body": body,
            "member": partner.member, "keeps": PORTAL_LINK,
            "batch_key": f"statement:{statement.year}:{partner.pk}"}


# The PDF.

def _latin(text: str) -> str:
    """`text` in the PDF core fonts' alphabet (Latin-1: accented names print as
    typed); anything beyond it loses its accent, or becomes "?"."""
    out = []
    for char in str(text):
        if ord(char) < 256:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                             "\u2013": "-", "\u2014": "-"}.get(char, "?"))
    return "".join(out)


def pdf(statement: Statement) -> bytes:
    """The statement as a one-page (or longer) PDF, in the core Helvetica font."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    info = ministry()
    doc = FPDF(format="Letter")
    doc.set_title(_latin(f"{statement.year} giving statement"))
    doc.set_author(_latin(info["legal_name"]))
    doc.set_auto_page_break(auto=True, margin=20)
    doc.add_page()
    width = doc.epw
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(width, 9, _latin(info["legal_name"]), **line)
    doc.set_font("Helvetica", "", 11)
    if info["ein"]:
        doc.multi_cell(width, 6, _latin(f"EIN: {info['ein']}"), **line)
    doc.ln(4)
    doc.set_font("Helvetica", "B", 14)
    doc.multi_cell(width, 8, _latin(f"Giving statement for {statement.year}"), **line)
    doc.set_font("Helvetica", "", 11)
    partner = statement.partner
    if partner is not None:
        doc.multi_cell(width, 6, _latin(f"For {partner.first_name} {partner.last_name}"),
                       **line)
    doc.ln(4)

    if not statement.gifts:
        doc.multi_cell(width, 6, _latin(f"We have no gifts from you recorded in {statement.year}."),
                       **line)
    else:
        columns = (0.3 * width, 0.25 * width, 0.2 * width, 0.25 * width)
        doc.set_font("Helvetica", "B", 11)
        for text, col in zip(("Date", "Gift", "Returned", "Counted"), columns, strict=True):
            doc.cell(col, 7, text, border="B")
        doc.ln()
        doc.set_font("Helvetica", "", 11)
        for gift in statement.gifts:
            day = timezone.localtime(gift.given_at)
            row = (f"{day:%B} {day.day}, {day.year}",
                   f"{gift.amount_display} ({gift.get_kind_display().lower()})",
                   gift.refunded_display if gift.refunded_cents else "-",
                   gift.kept_display)
            for text, col in zip(row, columns, strict=True):
                doc.cell(col, 7, _latin(text))
            doc.ln()
        doc.set_font("Helvetica", "B", 11)
        doc.cell(sum(columns[:3]), 8, "Total", border="T")
        doc.cell(columns[3], 8, statement.total_display, border="T")
        doc.ln(12)
    doc.set_font("Helvetica", "", 10)
    for text in (info["tax_notice"],
                 "No goods or services were provided in exchange for these contributions.",
                 "Amounts are in US dollars. A gift returned to you, in whole or in part, "
                 "counts only for what was kept."):
        doc.multi_cell(width, 5, _latin(text), **line)
        doc.ln(2)
    return bytes(doc.output())
