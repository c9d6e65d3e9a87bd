"""Year-end giving statements: a member's own page and PDF, the signed link in the mail
for a donor without an account, bad years, and the January run that mails each
partner who gave once."""
import re
import time
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from library import jobs
from library.models import OutboxMessage
from partners import statements
from partners.models import Gift, Partner, YearStatement
from tests.factories import make_member
from tests.jobs.conftest import mail_server, workers  # noqa: F401 (fixtures)
from tests.mailbox import delivered

ZONE = ZoneInfo("America/New_York")
TAX_WORDS = "No goods or services were provided in exchange for these contributions"


@pytest.fixture(autouse=True)
def ministry(settings):
    settings.MINISTRY_LEGAL_NAME = "Intercessors Prayer Ministry, Inc."
    settings.MINISTRY_EIN = "12-3456789"
    return settings


def local(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def give(partner, cents, when, *, refunded=0, kind=Gift.Kind.ONE_TIME):
    status = (Gift.Status.PAID if not refunded else Gift.Status.REFUNDED
              if refunded == cents else Gift.Status.PARTLY_REFUNDED)
    return Gift.objects.create(partner=partner, kind=kind, amount_cents=cents, given_at=when,
                               status=status, refunded_cents=refunded)


def partner_with_three_gifts(member=None, *, first_name="Lydia", email="lydia@example.org"):
    """Two gifts kept and one returned in 2025: $50 + $25 = $75."""
    partner = Partner.objects.create(member=member, email=email, first_name=first_name,
                                     last_name="Purple", subscription_status="active",
                                     monthly_amount_cents=2500)
    give(partner, 5000, local(2025, 3, 2))
    give(partner, 2500, local(2025, 6, 1), kind=Gift.Kind.MONTHLY)
    give(partner, 4000, local(2025, 9, 9), refunded=4000)
    return partner


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF: its content streams, unpacked."""
    assert data.startswith(b"%PDF-")
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


def logged_in(member):
    client = Client()
    client.force_login(member)
    return client


def test_a_members_statement_lists_their_gifts_with_the_right_total(db):
    member = make_member()
    partner_with_three_gifts(member)
    client = logged_in(member)

    page = client.get("/accounts/giving/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "/accounts/giving/2025/statement/" in body
    assert "/accounts/giving/2025/statement.pdf" in body
    assert "$40 returned to you" in body and "Active" in body

    page = client.get("/accounts/giving/2025/statement/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    for words in ("March 2, 2025", "June 1, 2025", "September 9, 2025", "$75",
                  "Intercessors Prayer Ministry, Inc.", "EIN: 12-3456789", "501(c)(3)",
                  TAX_WORDS):
        assert words in body, words
    assert re.search(r"Total for 2025</th><td[^>]*><strong>\$75</strong>", body)

    pdf = client.get("/accounts/giving/2025/statement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "(Total)" in text and "($75)" in text and "EIN: 12-3456789" in text
    assert "(September 9, 2025)" in text and "($40 \\(one time\\))" in text
    assert "Lydia Purple" in text


def test_a_refund_never_makes_a_total_negative_and_parts_are_counted_in_cents(db):
    member = make_member()
    partner = Partner.objects.create(member=member, email="a@example.org", first_name="Ann",
                                     last_name="Lee")
    give(partner, 1999, local(2025, 1, 1, 0))  # the first hour of the year, New York time
    give(partner, 1001, local(2025, 5, 5), refunded=1)
    give(partner, 300, local(2025, 12, 31, 23))  # the last hour of the year
    give(partner, 700, local(2026, 1, 1, 0), refunded=700)
    statement = statements.statement_for(partner, 2025)
    assert [g.amount_cents for g in statement.gifts] == [1999, 1001, 300]
    assert statement.total_cents == 3299 and statement.total_display == "$32.99"
    only_refunded = statements.statement_for(partner, 2026)
    assert only_refunded.total_cents == 0 and only_refunded.total_display == "$0"


def test_a_year_without_gifts_says_so_kindly(db):
    member = make_member()
    partner_with_three_gifts(make_member())
    Partner.objects.create(member=member, email="b@example.org", first_name="Bo",
                           last_name="Ng")
    page = logged_in(member).get("/accounts/giving/2026/statement/")
    assert page.status_code == 200
    assert "We have no gifts from you recorded in 2026" in page.content.decode()


def test_another_members_gifts_never_show_and_no_address_names_another(db):
    lydia, other = make_member(), make_member()
    partner = partner_with_three_gifts(lydia)
    client = logged_in(other)
    page = client.get("/accounts/giving/2025/statement/")
    body = page.content.decode()
    assert page.status_code == 200 and "$75" not in body and "Lydia" not in body
    assert "March 2, 2025" not in body
    assert client.get(f"/accounts/giving/{partner.pk}/2025/statement/").status_code == 404
    assert client.get(f"/accounts/giving/2025/statement/{partner.pk}/").status_code == 404
    pdf = client.get("/accounts/giving/2025/statement.pdf?partner=" + str(partner.pk))
    assert "Lydia" not in pdf_text(pdf.content) and "($75)" not in pdf_text(pdf.content)


def test_a_statement_needs_a_login(db):
    page = Client().get("/accounts/giving/2025/statement/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


@pytest.mark.parametrize("year", ["2099", "0", "abc", "99999999999999999999999", "2024", "-1",
                                  "٢٠٢٥", "2025.0"])
def test_a_year_that_cannot_have_a_statement_is_a_clear_404(db, year):
    member = make_member()
    partner_with_three_gifts(member)  # the ministry's first gift: March 2025
    client = logged_in(member)
    for suffix in ("statement/", "statement.pdf"):
        page = client.get(f"/accounts/giving/{year}/{suffix}")
        assert page.status_code == 404, (year, suffix)
        assert "There is no statement for that year" in page.content.decode()


def test_the_signed_link_opens_a_donors_statement_and_an_altered_one_does_not(db):
    partner = partner_with_three_gifts()  # no account
    url = statements.statement_url(partner, 2025)
    path = url.removeprefix("http://testserver").split("://", 1)[-1]
    path = path[path.index("/partner/"):]
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and "$75" in page.content.decode()
    pdf = client.get(path + "pdf/")
    assert pdf.status_code == 200 and "($75)" in pdf_text(pdf.content)

    token = path.split("/")[-2]
    other = Partner.objects.create(email="x@example.org", first_name="X", last_name="Y")
    # Another partner's payload under this link's signature.
    forged = ":".join([statements.statement_token(other, 2025).split(":")[0],
                       *token.split(":")[1:]])
    assert forged != token
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged,
                "nothing", token + "x"):
        page = client.get(f"/partner/statement/{bad}/")
        assert page.status_code == 400
        assert "This statement link does not work" in page.content.decode()
        assert client.get(f"/partner/statement/{bad}/pdf/").status_code == 400
    # A manage link is signed for another purpose and opens no statement.
    from partners.services import manage_token
    assert client.get(f"/partner/statement/{manage_token(partner)}/").status_code == 400


def test_an_expired_link_is_refused(db):
    partner = partner_with_three_gifts()
    with time_machine.travel(local(2025, 1, 2), tick=False):
        token = statements.statement_token(partner, 2025)
    with time_machine.travel(local(2026, 3, 1), tick=False):
        assert Client().get(f"/partner/statement/{token}/").status_code == 400


def test_accented_names_print_in_the_pdf(db):
    partner = partner_with_three_gifts(first_name="José")
    partner.last_name = "Müller-Ångström"
    partner.save()
    data = statements.pdf(statements.statement_for(partner, 2025))
    assert "José Müller-Ångström" in pdf_text(data)


def test_the_january_run_mails_each_partner_who_gave_once(db, mailoutbox):
    member = make_member()
    partner_with_three_gifts(member)
    donor = partner_with_three_gifts(first_name="Ruth", email="ruth@example.org")
    never = Partner.objects.create(email="n@example.org", first_name="N", last_name="N")
    give(never, 1000, local(2024, 5, 5))  # gave the year before, not last year
    with time_machine.travel(local(2026, 1, 15, 8), tick=False):
        assert statements.send_due() == 0  # not before 9 a.m.
    with time_machine.travel(local(2026, 1, 15, 9, ), tick=False):
        assert jobs.run(jobs.SCHEDULES["Site: send year-end giving statements"]["func"]) == 2
        assert statements.send_due() == 0  # again: nothing sent twice
    sent = delivered()
    # A member's statement goes to their account's email as it is now.
    assert sorted(m.to[0] for m in sent) == sorted([member.email, "ruth@example.org"])
    mail = next(m for m in sent if m.to[0] == "ruth@example.org")
    assert "2025 giving statement" in mail.subject and "$75" in mail.subject
    assert "Total for 2025: $75 (US dollars)" in mail.body
    assert "($40 returned to you; counted: $0)" in mail.body
    assert "EIN: 12-3456789" in mail.body and "501(c)(3)" in mail.body
    link = re.search(r"https?://\S+/partner/statement/\S+/", mail.body).group(0)
    page = Client().get(link[link.index("/partner/"):])
    assert page.status_code == 200 and "Ruth" in page.content.decode()
    assert YearStatement.objects.get(partner=donor).total_cents == 7500
    assert "n@example.org" not in [m.to[0] for m in sent]
    with time_machine.travel(local(2026, 4, 1, 10), tick=False):
        give(never, 500, local(2025, 12, 30))
        assert statements.send_due() == 0  # the run is over for this year
    assert OutboxMessage.objects.filter(kind=statements.MAIL).count() == 2
    # Sent, each keeps only its envelope: no working statement link stays in the table.
    assert not [m for m in OutboxMessage.objects.filter(kind=statements.MAIL)
                if "/partner/statement/" in f"{m.body}\n{m.html}"]


@pytest.mark.postgres_pass
def test_the_january_schedule_sends_statements_through_a_real_worker(
        workers, mail_server):  # noqa: F811
    member = make_member()
    partner_with_three_gifts(member)
    with time_machine.travel(local(2026, 1, 15, 9, 30), tick=False):
        assert jobs.run(jobs.SCHEDULES["Site: send year-end giving statements"]["func"]) == 1
    worker = workers()
    statement, = mail_server.inbox.wait_for(1, timeout=40) or [None]
    assert statement is not None, worker.output()
    assert statement["To"] == member.email  # the account's email as it is now
    assert "Your 2025 giving statement: $75" in statement["Subject"]
    body = statement.get_payload(decode=True).decode()
    assert "Total for 2025: $75 (US dollars)" in body and TAX_WORDS in body
    assert "EIN: 12-3456789" in body and "501(c)(3)" in body
    for at in (local(2026, 1, 15, 10), local(2026, 1, 31, 23)):  # the hourly runs after
        with time_machine.travel(at, tick=False):
            assert statements.send_due() == 0
    time.sleep(2)  # long enough for any repeat to arrive
    assert len(mail_server.inbox.messages) == 1
    assert OutboxMessage.objects.get(kind=statements.MAIL).status == "sent"


def test_the_run_in_batches_sends_each_once(db):
    partners = [Partner(email=f"p{n}@example.org", first_name=f"P{n}", last_name="Q")
                for n in range(7)]
    Partner.objects.bulk_create(partners)
    for partner in Partner.objects.all():
        give(partner, 1000, local(2025, 2, 2))
    assert statements.send_statements(2025, batch=3) == 7
    assert statements.send_statements(2025, batch=3) == 0
    assert OutboxMessage.objects.filter(kind=statements.MAIL).count() == 7
    assert YearStatement.objects.filter(year=2025).count() == 7
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    page = staff.get("/admin/partners/yearstatement/")
    assert page.status_code == 200 and "P3 Q" in page.content.decode()


@pytest.mark.parametrize("count", [3, 300])
def test_the_statement_and_giving_pages_keep_their_query_count(
        db, count, django_assert_max_num_queries):
    member = make_member()
    partner = Partner.objects.create(member=member, email="q@example.org", first_name="Q",
                                     last_name="R")
    Gift.objects.bulk_create([
        Gift(partner=partner, kind=Gift.Kind.MONTHLY, amount_cents=1000 + n,
             given_at=local(2025, 1 + n % 12, 1 + n % 28), refunded_cents=n % 2)
        for n in range(count)])
    client = logged_in(member)
    client.get("/accounts/giving/")  # the session's first read
    for path in ("/accounts/giving/", "/accounts/giving/2025/statement/",
                 "/accounts/giving/2025/statement.pdf"):
        with django_assert_max_num_queries(10):
            assert client.get(path).status_code == 200
