"""The giving desk in admin: monthly partners and their total, who to call, who began
or stopped this month, gifts by month with their chart, the accountant's CSV (named
time zone, kept in admin's history), and pledges of the past linked to partners."""
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from partners.models import Gift, Partner, PartnerPledge
from tests.factories import make_member
from tests.partners.test_giving import send
from tests.stripe_server import event, invoice

DESK = "/admin/partners/gift/desk/"
EXPORT = "/admin/partners/gift/desk/gifts.csv"
ZONE = ZoneInfo("America/New_York")


def staff_client(**extra):
    client = Client()
    client.force_login(make_member(is_staff=True, is_superuser=True, **extra))
    return client


def monthly(name, sub, cents):
    return Partner.objects.create(email=f"{name.lower()}@example.org", first_name=name,
                                  last_name="Giver", stripe_customer_id=f"cus_{sub}",
                                  stripe_subscription_id=f"sub_{sub}",
                                  subscription_status="active", monthly_amount_cents=cents)


def paid(partner, cents):
    return invoice(subscription=partner.stripe_subscription_id,
                   customer=partner.stripe_customer_id, amount=cents)


def test_the_desk_shows_the_monthly_total_and_who_to_call_from_webhook_events(
        client, db, stripe_on):
    lydia, ruth = monthly("Lydia", "a", 2500), monthly("Ruth", "b", 5000)
    priscilla, dorcas = monthly("Priscilla", "c", 4000), monthly("Dorcas", "d", 1000)
    for partner, cents in ((lydia, 2500), (ruth, 5000), (priscilla, 4000), (dorcas, 1000)):
        assert send(client, event("invoice.paid", paid(partner, cents))).status_code == 200
    failed = paid(priscilla, 4000)
    failed.update(status="open", amount_paid=0)
    assert send(client, event("invoice.payment_failed", failed)).status_code == 200
    ended = {"id": "sub_d", "object": "subscription", "customer": "cus_d", "status": "canceled"}
    assert send(client, event("customer.subscription.deleted", ended)).status_code == 200
    assert Gift.objects.count() == 4

    page = staff_client().get(DESK)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<strong>2</strong> active monthly partners, giving <strong>$75</strong>" in body
    assert "<strong>1</strong> past due" in body
    to_call = body[body.index("Past due: partners to call"):body.index("This month (")]
    assert "Priscilla Giver" in to_call and "Lydia" not in to_call
    failed_at = timezone.localtime(Partner.objects.get(pk=priscilla.pk).payment_failed_at)
    assert failed_at.strftime("%b %-d, %Y") in to_call
    this_month = body[body.index("This month ("):body.index("Gifts by month")]
    stopped = this_month[this_month.index("Monthly gifts stopped"):]
    assert "Dorcas Giver" in stopped and "Lydia" not in stopped
    new = this_month[:this_month.index("Monthly gifts stopped")]
    assert all(name in new for name in ("Lydia", "Ruth", "Priscilla", "Dorcas"))
    assert "<svg" in body and body.count("<rect ") == 24
    assert f"{timezone.localdate():%B %Y}</td><td>4</td><td>$0</td><td>$125</td>" in body
    assert "@example.org" not in body


def test_a_paid_invoice_after_a_failure_takes_a_partner_off_the_call_list(
        client, db, stripe_on):
    ruth = monthly("Ruth", "b", 5000)
    failed = paid(ruth, 5000)
    failed.update(status="open", amount_paid=0)
    send(client, event("invoice.payment_failed", failed))
    assert Partner.objects.get().payment_failed_at is not None
    send(client, event("invoice.paid", paid(ruth, 5000)))
    partner = Partner.objects.get()
    assert partner.subscription_status == "active" and partner.payment_failed_at is None
    assert "No one is past due." in staff_client().get(DESK).content.decode()


def test_gifts_by_month_count_months_in_the_sites_zone_and_refunds(db):
    from partners import desk

    partner = Partner.objects.create(email="a@example.org", first_name="A", last_name="B")
    now = datetime(2026, 7, 10, 12, tzinfo=ZONE)
    # The last evening of May in New York is already June in UTC.
    Gift.objects.create(partner=partner, kind="one_time", amount_cents=1000,
                        given_at=datetime(2026, 5, 31, 22, tzinfo=ZONE))
    Gift.objects.create(partner=partner, kind="one_time", amount_cents=3000, refunded_cents=3000,
                        status="refunded", given_at=datetime(2026, 6, 2, tzinfo=ZONE))
    Gift.objects.create(partner=partner, kind="one_time", amount_cents=500,
                        given_at=datetime(2024, 7, 31, tzinfo=ZONE))  # 24 months back and 1
    months = desk.gifts_by_month(now)
    assert len(months) == 24 and months[0].start.month == 8 and months[0].start.year == 2024
    may, june = months[-3], months[-2]
    assert (may.start.month, may.count, may.kept_cents) == (5, 1, 1000)
    assert (june.start.month, june.count, june.kept_cents, june.refunded_cents) == (6, 1, 0, 3000)
    bars = desk.chart(months)["bars"]
    assert bars[-3]["height"] == 180 and bars[-2]["height"] == 0


def test_the_csv_names_the_time_zone_and_is_kept_in_the_history(db):
    partner = Partner.objects.create(email="a@example.org", first_name="=cmd", last_name="José")
    Gift.objects.create(partner=partner, kind="monthly", amount_cents=4250, refunded_cents=250,
                        status="partly_refunded",
                        given_at=datetime(2026, 1, 1, 0, 30, tzinfo=ZONE))
    Gift.objects.create(partner=partner, kind="monthly", amount_cents=1000,
                        given_at=datetime(2025, 12, 31, 23, tzinfo=ZONE))
    staff = staff_client()
    response = staff.get(EXPORT + "?year=2026")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "given (America/New_York)"
    assert len(rows) == 2
    assert rows[1][0] == "2026-01-01T00:30:00-05:00"
    assert rows[1][2:8] == ["'=cmd", "José", "monthly", "42.50", "2.50", "40.00"]
    entry = LogEntry.objects.get()
    assert "Exported the gifts of 2026 as CSV (1 row" in entry.change_message
    for bad in ("abc", "2099", "0", "99999999999999999999"):
        response = staff.get(EXPORT + "?year=" + bad)
        assert response.status_code == 400 and "Choose a year from" in response.content.decode()
    assert LogEntry.objects.count() == 1


def test_pledges_of_the_past_can_be_marked_as_now_giving_online(db):
    old = PartnerPledge.objects.create(reference="P-OLD22", first_name="Lydia",
                                       last_name="Purple", email="Lydia@Example.org",
                                       amount=50, frequency="monthly")
    lonely = PartnerPledge.objects.create(reference="P-NONE3", first_name="Anna",
                                          last_name="Prophet", email="anna@example.org",
                                          amount=20, frequency="one_time")
    partner = monthly("Lydia", "a", 5000)
    staff = staff_client()
    body = staff.get(DESK).content.decode()
    assert "P-OLD22" in body and "P-NONE3" in body and "Now gives online (Lydia Giver)" in body
    url = f"/admin/partners/gift/desk/pledges/{old.pk}/gives-online/"
    assert staff.get(url).status_code == 405
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(make_member(is_staff=True, is_superuser=True))
    assert csrf.post(url).status_code == 403
    response = staff.post(url)
    assert response.status_code == 302 and response["Location"] == DESK
    old.refresh_from_db()
    assert old.partner == partner
    assert "Marked as now giving online" in LogEntry.objects.get(object_id=str(old.pk)) \
        .change_message
    staff.post(f"/admin/partners/gift/desk/pledges/{lonely.pk}/gives-online/")
    lonely.refresh_from_db()
    assert lonely.partner is None
    assert "Gives online:" in staff.get(DESK).content.decode()
    assert staff.post("/admin/partners/gift/desk/pledges/99999/gives-online/").status_code == 404


def test_only_those_who_may_see_gifts_use_the_desk(client, db):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(DESK).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get("/admin/partners/yearstatement/").status_code == 403
    assert "Giving desk" not in client.get("/admin/").content.decode()
    pledge = PartnerPledge.objects.create(reference="P-ED222", first_name="A", last_name="B",
                                          email="a@example.org", amount=50, frequency="monthly")
    assert client.post(f"/admin/partners/gift/desk/pledges/{pledge.pk}/gives-online/") \
        .status_code == 403
    member = Client()
    member.force_login(make_member())
    assert member.get(DESK).status_code == 302
    assert "Giving desk" in staff_client().get("/admin/").content.decode()


@pytest.mark.parametrize("count", [3, 300])
def test_the_desk_keeps_its_query_count(db, count, django_assert_max_num_queries):
    partners = [monthly(f"P{n}", f"q{n}", 1000 * (n + 1)) for n in range(3)]
    now = timezone.now()
    Gift.objects.bulk_create([
        Gift(partner=partners[n % 3], kind="monthly", amount_cents=1000 + n,
             given_at=now - timedelta(days=n * 2), refunded_cents=n % 3)
        for n in range(count)])
    PartnerPledge.objects.bulk_create([
        PartnerPledge(reference=f"P-{n:05d}", first_name="A", last_name="B",
                      email=f"p{n}@example.org", amount=50, frequency="monthly")
        for n in range(3)])
    staff = staff_client()
    staff.get("/admin/")  # the session's first read
    with django_assert_max_num_queries(10):
        assert staff.get(DESK).status_code == 200
