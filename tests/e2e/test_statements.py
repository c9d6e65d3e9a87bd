"""A member finds last year's giving statement in a real browser: My giving, the
statement page (accessible, and printed without the site's menus), and its PDF."""
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from partners.models import Gift, Partner
from tests.e2e.conftest import log_in
from tests.e2e.test_pages import serious_violations

ZONE = ZoneInfo("America/New_York")


def test_a_member_prints_last_years_statement_and_saves_its_pdf(page, site, grace):
    partner = Partner.objects.create(member=grace, email=grace.email, first_name="Grace",
                                     last_name="Hope", subscription_status="active",
                                     monthly_amount_cents=2500)
    for cents, refunded, month in ((5000, 0, 3), (2500, 0, 6), (4000, 4000, 9)):
        Gift.objects.create(partner=partner, kind="one_time", amount_cents=cents,
                            refunded_cents=refunded, status="refunded" if refunded else "paid",
                            given_at=datetime(2025, month, 2, 12, tzinfo=ZONE))
    log_in(page, site.url)
    page.goto(site.url + "/accounts/profile/")
    page.get_by_role("link", name="My giving").click()
    expect(page.locator("h1")).to_have_text("My giving")
    page.get_by_role("link", name="2025 statement").click()
    expect(page.locator("h1")).to_have_text("Giving statement for 2025")
    expect(page.locator(".statement tfoot")).to_contain_text("$75")
    assert serious_violations(page) == []

    page.emulate_media(media="print")
    expect(page.locator(".statement table")).to_be_visible()
    for hidden in (".site-header", ".site-footer", ".statement .actions"):
        expect(page.locator(hidden).first).to_be_hidden()
    page.emulate_media(media="screen")

    link = page.get_by_role("link", name="Download as PDF").get_attribute("href")
    pdf = page.request.get(site.url + link)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
