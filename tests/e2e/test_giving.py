"""A partner gives online in a real browser: the form, Stripe's checkout (the stand-in
in tests.stripe_server), the thanks page, the signed event that records the gift,
the receipt, and the link in it to the customer portal."""
import json
import re
from urllib.request import Request, urlopen

from playwright.sync_api import expect

from partners.models import Gift, Partner, PartnerPledge
from tests.mailbox import delivered
from tests.stripe_server import event, invoice, sign, stripe_double, stripe_on  # noqa: F401


def send_event(base_url, evt) -> int:
    payload = json.dumps(evt)
    request = Request(f"{base_url}/partner/stripe/webhook/", data=payload.encode(),
                      headers={"Content-Type": "application/json",
                               "Stripe-Signature": sign(payload)})
    with urlopen(request, timeout=10) as response:  # noqa: S310 (the test's own server)
        return response.status


def test_a_partner_gives_monthly_and_manages_the_gift_from_the_receipt(
        page, site, stripe_on, settings, no_dialogs):  # noqa: F811 (the fixture)
    settings.SITE_URL = site.url
    page.goto(site.url + "/partner/")
    expect(page.locator(".partner-intro")).to_contain_text("we take you to Stripe")
    page.get_by_label("$100").check()
    page.fill("#id_first_name", "Phoebe")
    page.fill("#id_last_name", "Cenchreae")
    page.fill("#id_email", "phoebe@example.org")
    page.get_by_role("button", name="Give").click()

    expect(page).to_have_url(re.compile(re.escape(stripe_on.base) + r"/pay/cs_"))
    expect(page.locator(".amount")).to_have_text("$100.00 per month")
    page.get_by_role("button", name="Pay").click()

    expect(page).to_have_url(site.url + "/partner/thanks/")
    expect(page.locator("h1")).to_contain_text("Thank you, Phoebe")
    expect(page.locator("main")).to_contain_text("Your receipt then comes")
    assert not Gift.objects.exists()  # the browser's return records nothing

    session, = stripe_on.sessions.values()
    reference = PartnerPledge.objects.get().reference
    assert send_event(site.url, event("checkout.session.completed", session)) == 200
    assert send_event(site.url, event("invoice.paid", invoice(
        subscription=session["subscription"], customer=session["customer"], amount=10000,
        pledge=reference))) == 200
    gift = Gift.objects.get()
    assert (gift.amount_cents, gift.kind) == (10000, "monthly")
    assert Partner.objects.get().subscription_status == "active"

    receipt, = delivered()
    assert receipt.to == ["phoebe@example.org"] and "$100" in receipt.body
    assert "No goods or services were provided in exchange for this contribution" in receipt.body
    link = re.search(r"(http://\S+/partner/manage/\S+/)", receipt.body).group(1)
    assert link.startswith(site.url)
    page.goto(link)
    page.get_by_role("button", name="Continue to manage my gift").click()
    expect(page).to_have_url(re.compile(re.escape(stripe_on.base) + r"/portal/bps_"))
    expect(page.locator(".customer")).to_have_text(session["customer"])
