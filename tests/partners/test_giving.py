"""Giving online: the partner form opens Stripe's checkout (a stand-in on loopback),
Stripe's signed events record gifts once with their receipts, and only a partner's
own link opens the portal for their gift."""
import json
import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from partners.models import Gift, GivingAlert, Partner, PartnerPledge, ProcessedEvent
from partners.services import manage_token
from tests.concurrency import at_once, needs_postgres
from tests.factories import make_member
from tests.mailbox import delivered
from tests.net import free_port
from tests.partners.test_partner import pledge_form
from tests.stripe_server import event, invoice, new_id, sign

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

WEBHOOK = "/partner/stripe/webhook/"
RECEIPT_WORDS = "No goods or services were provided in exchange for this contribution"


def send(client, evt, *, at=None, secret=None):
    payload = json.dumps(evt)
    header = sign(payload, at=at) if secret is None else sign(payload, secret, at=at)
    return client.post(WEBHOOK, payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)


def give(client, double, **fields):
    """The form sent; the session the stand-in opened for it."""
    response = client.post("/partner/", pledge_form(**fields))
    assert response.status_code == 303, response.content.decode()[:3000]
    session_id = response["Location"].rsplit("/", 1)[1]
    assert response["Location"] == f"{double.base}/pay/{session_id}"
    return double.sessions[session_id]


def paid_monthly(client, double, **fields):
    """A monthly gift set up and paid at the checkout: the session and its completion
    event taken."""
    session = give(client, double, **fields)
    double.pay(session["id"])
    assert send(client, event("checkout.session.completed", session)).status_code == 200
    return session


def state():
    """What events can change, to compare before and after."""
    return (list(Gift.objects.values_list("amount_cents", "status", "refunded_cents")),
            list(Partner.objects.values_list("stripe_customer_id", "stripe_subscription_id",
                                             "subscription_status")),
            ProcessedEvent.objects.count(), len(delivered()))


def test_a_monthly_gift_from_the_form_to_its_second_receipt(client, db, stripe_on):
    session = give(client, stripe_on, amount_choice="other", other_amount="42.50")
    (method, path, form, key), = stripe_on.requests
    pledge = PartnerPledge.objects.get()
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][unit_amount]"] == "4250"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["subscription_data[metadata][pledge]"] == pledge.reference
    assert form["customer_email"] == "lydia@example.org" and "customer" not in form
    assert key.startswith(f"checkout-{pledge.reference}-")
    assert pledge.checkout_session_id == session["id"]
    assert delivered() == []  # no "we will call you" mail: the receipt thanks them
    # Back on the thanks page: nothing is recorded from the address.
    thanks = client.get("/partner/thanks/?session_id=" + session["id"] + "&paid=1")
    assert "receipt" in thanks.content.decode() and not Gift.objects.exists()

    stripe_on.pay(session["id"])
    assert send(client, event("checkout.session.completed", session)).status_code == 200
    partner = Partner.objects.get()
    assert partner.stripe_customer_id == session["customer"]
    assert partner.stripe_subscription_id == session["subscription"]
    assert partner.monthly_amount_cents == 4250
    assert not Gift.objects.exists()  # a monthly gift comes from its invoice

    for n in (1, 2):
        paid = event("invoice.paid", invoice(subscription=session["subscription"],
                                             customer=session["customer"], amount=4250,
                                             pledge=pledge.reference))
        response = send(client, paid)
        assert (response.status_code, response.content) == (200, b"taken")
        assert Gift.objects.count() == n
        receipts = [m for m in delivered() if "Receipt" in m.subject]
        assert len(receipts) == n
    receipt = receipts[-1]
    assert receipt.to == ["lydia@example.org"]
    for words in ("$42.50", "Intercessors Prayer Ministry, Inc.", "EIN: 12-3456789",
                  RECEIPT_WORDS, "Dear Lydia"):
        assert words in receipt.body
    assert re.search(r"/partner/manage/[^/\s]+/", receipt.body)
    partner.refresh_from_db()
    assert partner.subscription_status == "active"
    assert PartnerPledge.objects.get().status == "active"

    # The same event again (Stripe retries, or someone replays it): nothing.
    before = state()
    response = send(client, paid)
    assert (response.status_code, response.content) == (200, b"replayed")
    assert state() == before


def test_forged_old_and_unsigned_events_are_refused_with_nothing_changed(
        client, db, stripe_on):
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    paid = event("invoice.paid", invoice(subscription=session["subscription"],
                                         customer=session["customer"], amount=5000,
                                         pledge=reference))
    before = state()
    assert send(client, paid, secret="whsec_someone_else").status_code == 400
    assert send(client, paid, at=int(time.time()) - 301).status_code == 400
    payload = json.dumps(paid)
    assert client.post(WEBHOOK, payload, content_type="application/json").status_code == 400
    tampered = sign(payload).replace("v1=", "v1=0")
    assert client.post(WEBHOOK, payload.replace("5000", "500000"),
                       content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(payload)).status_code == 400
    assert client.post(WEBHOOK, payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=tampered).status_code == 400
    assert client.post(WEBHOOK, b"\xff\xfe", content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign("x")).status_code == 400
    assert client.get(WEBHOOK).status_code == 405
    assert state() == before
    # Within five minutes, the same event is taken.
    assert send(client, paid, at=int(time.time()) - 200).status_code == 200
    assert Gift.objects.count() == 1


def test_unknown_types_are_answered_and_ignored(client, db, stripe_on):
    response = send(client, event("customer.created", {"id": "cus_x", "object": "customer"}))
    assert (response.status_code, response.content) == (200, b"ignored")
    assert not ProcessedEvent.objects.exists() and not GivingAlert.objects.exists()


def test_events_for_customers_and_subscriptions_we_never_made_go_to_staff(
        client, db, stripe_on):
    strangers = [
        event("invoice.paid", invoice(subscription="sub_never", customer="cus_never",
                                      amount=5000)),
        event("invoice.paid", invoice(subscription="sub_never", customer="cus_never",
                                      amount=5000, pledge="P-NOONE")),
        event("invoice.payment_failed", invoice(subscription="sub_never",
                                                customer="cus_never", amount=5000)),
        event("customer.subscription.deleted", {"id": "sub_never", "object": "subscription",
                                                "customer": "cus_never", "status": "canceled",
                                                "metadata": {}}),
        event("checkout.session.completed", {"id": "cs_never", "object": "checkout.session",
                                             "mode": "payment", "payment_status": "paid",
                                             "customer": "cus_never", "amount_total": 5000,
                                             "currency": "usd", "metadata": {}}),
        event("charge.refunded", {"id": "ch_never", "object": "charge", "amount": 5000,
                                  "amount_refunded": 5000, "currency": "usd",
                                  "payment_intent": "pi_never", "customer": "cus_never"}),
    ]
    for evt in strangers:
        assert send(client, evt).status_code == 200
    reasons = sorted(GivingAlert.objects.values_list("reason", flat=True))
    assert reasons == ["unknown_customer", "unknown_payment"] + ["unknown_subscription"] * 4
    assert not Gift.objects.exists() and not Partner.objects.exists() and delivered() == []
    staff = _staff()
    assert "Unknown subscription" in staff.get("/admin/partners/givingalert/").content.decode()
    assert "<strong>6</strong> payment events to look at" in staff.get("/admin/").content.decode()
    GivingAlert.objects.update(resolved=True)
    assert "payment event" not in staff.get("/admin/").content.decode()


@pytest.mark.parametrize(("amount", "currency"), [(500, "usd"), (5000, "eur"), (5001, "usd")])
def test_an_amount_or_currency_that_disagrees_is_flagged_not_trusted(
        client, db, stripe_on, amount, currency):
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    response = send(client, event("invoice.paid", invoice(
        subscription=session["subscription"], customer=session["customer"], amount=amount,
        currency=currency, pledge=reference)))
    assert response.status_code == 200
    alert = GivingAlert.objects.get()
    assert alert.reason == "amount_mismatch" and alert.partner == Partner.objects.get()
    assert str(amount) in alert.detail and currency.upper() in alert.detail
    assert not Gift.objects.exists() and delivered() == []


def test_a_one_time_gift_is_recorded_only_when_paid(client, db, stripe_on):
    session = give(client, stripe_on, frequency="one_time", amount_choice="100")
    form = stripe_on.requests[0][2]
    assert form["mode"] == "payment" and "line_items[0][price_data][recurring][interval]" \
        not in form
    assert form["submit_type"] == "donate" and form["customer_creation"] == "always"
    unpaid = dict(session, status="complete", payment_status="unpaid")
    assert send(client, event("checkout.session.completed", unpaid)).status_code == 200
    assert not Gift.objects.exists() and delivered() == []

    # Paid days later (a bank payment): the session comes again, paid.
    session = stripe_on.pay(session["id"])
    assert send(client, event("checkout.session.async_payment_succeeded", session)
                ).status_code == 200
    assert send(client, event("checkout.session.completed", session)).status_code == 200
    gift = Gift.objects.get()
    assert (gift.kind, gift.amount_cents, gift.currency) == ("one_time", 10000, "usd")
    assert gift.stripe_payment_intent_id == session["payment_intent"]
    receipt, = delivered()
    assert "$100" in receipt.body and RECEIPT_WORDS in receipt.body

    # A refund, in part and then whole.
    for refunded, status in ((2500, "partly_refunded"), (10000, "refunded")):
        send(client, event("charge.refunded", {
            "id": "ch_1", "object": "charge", "amount": 10000, "amount_refunded": refunded,
            "currency": "usd", "payment_intent": session["payment_intent"],
            "customer": session["customer"]}))
        gift.refresh_from_db()
        assert (gift.refunded_cents, gift.status) == (refunded, status)
    assert Partner.objects.get().stripe_customer_id == session["customer"]
    assert not GivingAlert.objects.exists()


def test_a_failed_monthly_payment_gets_a_kind_note_and_the_state_follows(
        client, db, stripe_on):
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    failed = invoice(subscription=session["subscription"], customer=session["customer"],
                     amount=5000, pledge=reference)
    failed.update(status="open", amount_paid=0)
    assert send(client, event("invoice.payment_failed", failed)).status_code == 200
    partner = Partner.objects.get()
    assert partner.subscription_status == "past_due"
    note, = delivered()
    assert "did not go through" in note.subject and "update your card" in note.body
    link = re.search(r"https?://\S+/partner/manage/(\S+)/", note.body)
    assert link and Client().get(f"/partner/manage/{link.group(1)}/").status_code == 200
    subscription = {"id": session["subscription"], "object": "subscription",
                    "customer": session["customer"], "status": "active",
                    "metadata": {"pledge": reference}}
    send(client, event("customer.subscription.updated", subscription))
    partner.refresh_from_db()
    assert partner.subscription_status == "active"
    send(client, event("customer.subscription.deleted", dict(subscription, status="canceled")))
    partner.refresh_from_db()
    assert partner.subscription_status == "cancelled"
    assert not Gift.objects.exists()


def test_pressing_give_twice_opens_one_session(client, db, stripe_on):
    first = client.post("/partner/", pledge_form())
    second = client.post("/partner/", pledge_form())
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert len(stripe_on.sessions) == 1 and PartnerPledge.objects.count() == 1
    keys = {key for _, _, _, key in stripe_on.api_calls("/v1/checkout/sessions")}
    assert len(keys) == 1


@pytest.mark.parametrize("trouble", ["down", "slow", "failing"])
def test_when_stripe_is_away_the_pledge_is_kept_and_the_partner_told(
        client, db, stripe_on, settings, trouble):
    settings.PARTNER_NOTIFY_EMAIL = "team@ministry.example"
    if trouble == "down":
        settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    elif trouble == "slow":
        settings.STRIPE_TIMEOUT = 0.3
        stripe_on.delay = 1
    else:
        stripe_on.failing = True
    started = time.monotonic()
    response = client.post("/partner/", pledge_form())
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    html = response.content.decode()
    pledge = PartnerPledge.objects.get()
    assert "could not reach our card payment service" in html and pledge.reference in html
    assert "nothing was charged" in html
    assert 'value="lydia@example.org"' in html
    assert "follow up" in pledge.staff_note
    assert sorted(m.to[0] for m in delivered()) == ["lydia@example.org",
                                                   "team@ministry.example"]
    # Trying again later, once Stripe is back, reaches the checkout for the same pledge.
    stripe_on.delay, stripe_on.failing = 0, False
    settings.STRIPE_API_BASE = stripe_on.base
    settings.STRIPE_TIMEOUT = 2
    assert client.post("/partner/", pledge_form()).status_code == 303
    assert PartnerPledge.objects.count() == 1 and len(delivered()) == 2


def test_without_keys_pledges_are_taken_and_the_pages_say_what_happens(client, db, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PARTNER_CHECKOUT_URL = ""
    page = client.get("/partner/").content.decode()
    assert "contact you within two working days" in page and "Stripe" not in page
    assert ">Become a partner</button>" in page
    response = client.post("/partner/", pledge_form())
    assert response.status_code == 302 and response["Location"] == "/partner/thanks/"
    assert "contact you within two working days" in client.get("/partner/thanks/").content.decode()
    assert PartnerPledge.objects.count() == 1
    assert client.post(WEBHOOK, "{}", content_type="application/json").status_code == 404


def test_with_keys_the_page_says_where_the_gift_goes(client, db, stripe_on):
    response = client.get("/partner/")
    page = response.content.decode()
    assert "we take you to Stripe" in page and ">Give</button>" in page
    assert "two working days" not in page
    assert stripe_on.base in response["Content-Security-Policy"]
    assert "https://checkout.stripe.com" in response["Content-Security-Policy"]


def _partner_with_customer(email, customer):
    return Partner.objects.create(email=email, first_name="A", last_name="B",
                                  stripe_customer_id=customer)


def test_a_manage_link_opens_the_portal_for_its_own_partner_only(client, db, stripe_on,
                                                                  time_machine):
    lydia = _partner_with_customer("lydia@example.org", "cus_lydia")
    mallory = _partner_with_customer("mallory@example.org", "cus_mallory")
    token = manage_token(lydia)
    assert "cus_" not in token and "lydia" not in token
    page = client.get(f"/partner/manage/{token}/")
    assert page.status_code == 200 and "Continue to manage my gift" in page.content.decode()
    assert not stripe_on.requests  # a mail scanner's visit opens nothing
    response = client.post(f"/partner/manage/{token}/")
    assert response.status_code == 303
    portal = stripe_on.portal_sessions[response["Location"].rsplit("/", 1)[1]]
    assert portal["customer"] == "cus_lydia"

    # Another partner's number in Lydia's link, or a link signed for something else.
    value, _, rest = token.partition(":")
    forged = [
        signing.dumps(mallory.pk, salt="updates.unsubscribe"),
        signing.dumps(mallory.pk),
        token.replace(value, signing.dumps(mallory.pk).partition(":")[0], 1),
        token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        "not-a-link",
    ]
    calls = len(stripe_on.requests)
    for bad in forged:
        for method in (client.get, client.post):
            response = method(f"/partner/manage/{bad}/")
            assert response.status_code == 400, bad
            assert "does not work any more" in response.content.decode()
    assert len(stripe_on.requests) == calls
    assert "cus_mallory" not in {p["customer"] for p in stripe_on.portal_sessions.values()}

    # Links grow old.
    time_machine.shift(timedelta(days=401))
    assert client.post(f"/partner/manage/{token}/").status_code == 400


def test_members_manage_their_gift_from_the_account_page(client, db, stripe_on):
    member = make_member(email="ruth@example.org", display_name="Ruth Moab")
    client.force_login(member)
    profile = client.get("/accounts/profile/").content.decode()
    assert "Manage my gift" not in profile
    session = paid_monthly(client, stripe_on, first_name="Ruth", last_name="Moab",
                           email="ruth@example.org")
    partner = Partner.objects.get()
    assert partner.member == member and partner.stripe_customer_id == session["customer"]
    response = client.get("/accounts/profile/")
    assert "Manage my gift" in response.content.decode()
    assert stripe_on.base in response["Content-Security-Policy"]
    response = client.post("/partner/manage/")
    assert response.status_code == 303
    portal = stripe_on.portal_sessions[response["Location"].rsplit("/", 1)[1]]
    assert portal["customer"] == session["customer"]
    assert portal["return_url"].endswith("/accounts/profile/")
    # A member's next gift goes with the same customer.
    client.post("/partner/", pledge_form(first_name="Ruth", last_name="Moab",
                                         email="ruth@example.org", amount_choice="100"))
    assert stripe_on.api_calls("/v1/checkout/sessions")[-1][2]["customer"] == session["customer"]
    other = Client()
    other.force_login(make_member())
    response = other.post("/partner/manage/")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.get("/partner/manage/").status_code == 405


def _staff():
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    return staff


def test_staff_see_gifts_and_partners_with_money_read_only(client, db, stripe_on):
    session = paid_monthly(client, stripe_on)
    send(client, event("invoice.paid", invoice(
        subscription=session["subscription"], customer=session["customer"], amount=5000,
        pledge=PartnerPledge.objects.get().reference)))
    gift, partner = Gift.objects.get(), Partner.objects.get()
    staff = _staff()
    assert "$50" in staff.get("/admin/partners/gift/").content.decode()
    page = staff.get(f"/admin/partners/gift/{gift.pk}/change/").content.decode()
    assert "$50" in page and 'name="amount_cents"' not in page
    assert 'name="refunded_cents"' not in page
    page = staff.get(f"/admin/partners/partner/{partner.pk}/change/").content.decode()
    assert "$50" in page and 'name="monthly_amount_cents"' not in page
    assert staff.get("/admin/partners/gift/add/").status_code == 403
    staff.post(f"/admin/partners/gift/{gift.pk}/change/", {"amount_cents": 1})
    gift.refresh_from_db()
    assert gift.amount_cents == 5000


def test_an_event_in_a_shape_we_cannot_read_goes_to_staff(client, db, stripe_on):
    response = send(client, event("invoice.paid", {"id": "in_x", "object": "invoice",
                                                   "parent": "not a dict"}))
    assert (response.status_code, response.content) == (200, b"unreadable")
    assert GivingAlert.objects.get().reason == "unreadable"
    assert send(client, event("charge.refunded", {"object": "charge"}, event_id=new_id("evt"))
                ).status_code == 200


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_one_event_delivered_to_several_servers_at_once_is_taken_once(stripe_on):
    partner = Partner.objects.create(email="lydia@example.org", first_name="Lydia",
                                     last_name="Purple", stripe_customer_id="cus_race",
                                     stripe_subscription_id="sub_race",
                                     subscription_status="active", monthly_amount_cents=5000)
    paid = event("invoice.paid", invoice(subscription="sub_race", customer="cus_race",
                                         amount=5000))
    again = dict(paid, id=new_id("evt"))  # the same invoice in a second event
    answers = at_once([lambda evt=evt: send(Client(), evt).content
                       for evt in [paid] * 4 + [again] * 2])
    assert sorted(answers) == [b"replayed"] * 4 + [b"taken"] * 2
    assert Gift.objects.get().partner == partner
    assert ProcessedEvent.objects.count() == 2
    assert len([m for m in delivered() if "Receipt" in m.subject]) == 1


def test_members_see_and_download_their_gifts(client, db, member, other_member):
    from django.utils import timezone

    partner = Partner.objects.create(member=member, email=member.email, first_name="Hannah",
                                     last_name="P", subscription_status="past_due")
    Gift.objects.create(partner=partner, kind="monthly", amount_cents=4250,
                        given_at=timezone.now(), refunded_cents=1000, status="partly_refunded")
    client.force_login(member)
    page = client.get("/accounts/profile/").content.decode()
    assert "Gifts received" in page and "$42.50 (monthly)" in page and "$10 returned" in page
    assert "Your monthly gift: <strong>Past due</strong>" in page
    gifts = json.loads(client.get("/accounts/export/").content)["gifts"]
    assert [(g["amount"], g["refunded"], g["kind"]) for g in gifts] == [
        ("42.50", "10.00", "monthly")]
    client.force_login(other_member)
    assert json.loads(client.get("/accounts/export/").content)["gifts"] == []
    assert "Gifts received" not in client.get("/accounts/profile/").content.decode()


def test_editors_see_no_gifts_partners_or_alerts(client, db):
    from django.contrib.auth.models import Group

    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    for model in ("gift", "partner", "givingalert", "processedevent"):
        assert client.get(f"/admin/partners/{model}/").status_code == 403


def test_the_settings_come_from_the_environment():
    from tests.intercessors.test_settings import run_manage

    show = ("from django.conf import settings as s; from partners import giving; "
            "print(giving.online_giving_on(), s.STRIPE_API_BASE, s.STRIPE_TIMEOUT, "
            "s.MINISTRY_LEGAL_NAME, s.MINISTRY_EIN, sep='|')")
    plain = run_manage("shell", "--no-imports", "-c", show, DJANGO_DEBUG="1")
    assert plain.stdout.strip() == ("False|https://api.stripe.com|10.0|"
                                    "Intercessors Prayer Ministry|"), plain.stderr
    keyed = run_manage("shell", "--no-imports", "-c", show, DJANGO_DEBUG="1",
                       STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x",
                       STRIPE_TIMEOUT="4", MINISTRY_LEGAL_NAME="Grace Ministries, Inc.",
                       MINISTRY_EIN="12-3456789")
    assert keyed.stdout.strip() == ("True|https://api.stripe.com|4.0|Grace Ministries, Inc.|"
                                    "12-3456789"), keyed.stderr


def test_a_refund_of_a_monthly_gift_finds_its_invoice_at_stripe(client, db, stripe_on):
    session = paid_monthly(client, stripe_on)
    paid = invoice(subscription=session["subscription"], customer=session["customer"],
                   amount=5000, pledge=PartnerPledge.objects.get().reference)
    send(client, event("invoice.paid", paid))
    stripe_on.invoice_payments["pi_monthly"] = paid["id"]
    refund = {"id": "ch_monthly", "object": "charge", "amount": 5000, "amount_refunded": 5000,
              "currency": "usd", "payment_intent": "pi_monthly",
              "customer": session["customer"]}
    stripe_on.failing = True  # Stripe away: answered 503, nothing kept, sent again later
    first = event("charge.refunded", refund)
    assert send(client, first).status_code == 503
    assert Gift.objects.get().status == "paid" and not ProcessedEvent.objects.filter(
        event_id=first["id"]).exists()
    stripe_on.failing = False
    assert send(client, first).status_code == 200
    gift = Gift.objects.get()
    assert (gift.status, gift.refunded_cents, gift.stripe_charge_id) == (
        "refunded", 5000, "ch_monthly")
    assert not GivingAlert.objects.exists()


def test_a_payment_of_an_earlier_monthly_gift_leaves_the_current_one(client, db, stripe_on):
    """Two monthly gifts running: the earlier one's monthly payment is recorded and
    receipted, and the later one stays the partner's current gift."""
    first = paid_monthly(client, stripe_on)
    first_reference = PartnerPledge.objects.get().reference
    second = give(client, stripe_on, amount_choice="100")
    stripe_on.pay(second["id"])
    assert send(client, event("checkout.session.completed", second)).status_code == 200
    response = send(client, event("invoice.paid", invoice(
        subscription=first["subscription"], customer=first["customer"], amount=5000,
        pledge=first_reference)))
    assert response.status_code == 200
    partner = Partner.objects.get()
    assert (partner.stripe_subscription_id, partner.subscription_status,
            partner.monthly_amount_cents) == (second["subscription"], "active", 10000)
    assert Gift.objects.get().amount_cents == 5000


def test_an_older_change_of_amount_arriving_late_is_not_taken(client, db, stripe_on):
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference

    def changed(cents, created):
        items = {"object": "list", "data": [{
            "id": "si_1", "object": "subscription_item", "quantity": 1,
            "price": {"id": f"price_{cents}", "object": "price", "currency": "usd",
                      "unit_amount": cents, "recurring": {"interval": "month"}}}]}
        evt = event("customer.subscription.updated", {
            "id": session["subscription"], "object": "subscription",
            "customer": session["customer"], "status": "active",
            "metadata": {"pledge": reference}, "items": items})
        evt["created"] += created
        return evt

    assert send(client, changed(7500, 0)).status_code == 200
    assert send(client, changed(6000, -60)).status_code == 200
    assert Partner.objects.get().monthly_amount_cents == 7500
    assert send(client, changed(1, 0)).status_code == 200  # not an amount a gift may be
    assert Partner.objects.get().monthly_amount_cents == 7500
    assert GivingAlert.objects.get().reason == "amount_mismatch"
