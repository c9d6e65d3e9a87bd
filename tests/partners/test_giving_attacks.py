"""Attacks on online giving that get through today: each test names what should
hold, and its docstring says how it was broken."""
import json
import re
import threading
import time

import pytest
from django.core import checks
from django.test import Client

from library.models import OutboxMessage
from partners import giving
from partners.models import Gift, GivingAlert, Partner, PartnerPledge, ProcessedEvent
from partners.services import partner_from_token
from tests.concurrency import at_once, needs_postgres
from tests.factories import make_member
from tests.mailbox import delivered
from tests.partners.test_giving import WEBHOOK, give, paid_monthly, send
from tests.partners.test_partner import pledge_form
from tests.stripe_server import event, invoice, sign

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


def answering():
    """A client that sees a 500 as the browser or Stripe would, not as an exception."""
    return Client(raise_request_exception=False)


def post_signed(client, body: str):
    return client.post(WEBHOOK, body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(body))


def subscription(session, reference, **fields):
    """A subscription as Stripe's customer.subscription.* events carry it."""
    return {"id": session["subscription"], "object": "subscription",
            "customer": session["customer"], "status": "active",
            "metadata": {"pledge": reference}, **fields}


# The webhook, before the signature is known to be good.


@pytest.mark.parametrize("signature", ["v1=\u00e9", "v1=abc\u00ff", "v0=x,v1=\u00e9\u00e9"])
def test_a_signature_header_with_non_ascii_characters_is_refused_not_a_500(
        client, db, stripe_on, signature):
    """Anyone on the internet, without the secret: a Stripe-Signature header whose v1
    holds a byte above 127 (a WSGI header arrives as Latin-1) makes the library's
    hmac.compare_digest raise TypeError, which nothing catches: a 500 and an error
    report for each request."""
    body = json.dumps(event("invoice.paid", {"id": "in_x", "object": "invoice"}))
    header = f"t={int(time.time())},{signature}"
    response = answering().post(WEBHOOK, body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    assert not ProcessedEvent.objects.exists() and not GivingAlert.objects.exists()


# Signed events in shapes the handlers do not expect.


@pytest.mark.parametrize("body", [
    "[]",
    "null",
    "\"evt\"",
    json.dumps({"object": "event", "type": "invoice.paid", "data": {"object": {}}}),
    json.dumps({"id": "evt_list_type", "object": "event", "type": ["invoice.paid"],
                "data": {"object": {}}}),
], ids=["a-list", "null", "a-string", "no-id", "type-a-list"])
def test_a_signed_event_of_any_shape_is_answered_without_a_500(client, db, stripe_on, body):
    """A body that verifies but is not an event object (a JSON list, null, a string),
    or an event without an id, or whose type is a list: the library's build_v1_event
    calls .get on it (AttributeError), take() reads event["id"] again in its own
    except block (KeyError) or hashes the type (TypeError): 500 every time, and Stripe
    retries it for three days."""
    response = post_signed(answering(), body)
    assert response.status_code < 500
    assert not Gift.objects.exists() and delivered() == []


def test_a_paid_invoice_with_an_impossible_date_goes_to_staff_not_a_500(client, db, stripe_on):
    """A paid invoice whose paid_at is far past what a datetime holds:
    datetime.fromtimestamp raises OverflowError, which take() does not catch (it
    catches ValueError, KeyError, TypeError, AttributeError): 500, not an alert."""
    session = paid_monthly(client, stripe_on)
    paid = invoice(subscription=session["subscription"], customer=session["customer"],
                   amount=5000, pledge=PartnerPledge.objects.get().reference)
    paid["status_transitions"]["paid_at"] = 10**20
    response = send(answering(), event("invoice.paid", paid))
    assert response.status_code == 200
    assert GivingAlert.objects.get().reason == "unreadable"
    assert not Gift.objects.exists() and delivered() == []


@needs_postgres
@pytest.mark.parametrize("odd", ["evt_" + "x" * 300, "evt_\x00nul"], ids=["long", "nul"])
def test_an_event_id_postgresql_cannot_store_is_answered_without_a_500(
        client, db, stripe_on, odd):
    """An event id longer than ProcessedEvent.event_id's 255 characters (DataError on
    PostgreSQL) or holding a NUL (psycopg refuses it with ValueError, raised again by
    take()'s own except block, which stores the same id): 500."""
    response = send(answering(), event("invoice.paid", invoice(
        subscription="sub_never", customer="cus_never", amount=5000), event_id=odd))
    assert response.status_code < 500


# Events out of order, or about a partner's other monthly gift.


def test_cancelling_an_earlier_monthly_gift_leaves_the_current_one_active(
        client, db, stripe_on):
    """A partner gives $50 a month, then sets up $100 a month (now her current gift)
    and stops the old $50 one in the portal. Its customer.subscription.deleted event
    runs _link_subscription first, which makes the old subscription current again
    (no partner holds it any more), and then marks it cancelled: the partner reads
    "Cancelled", with $50 on record, while $100 leaves her card every month."""
    first = paid_monthly(client, stripe_on)
    first_reference = PartnerPledge.objects.get().reference
    second = give(client, stripe_on, amount_choice="100")
    stripe_on.pay(second["id"])
    assert send(client, event("checkout.session.completed", second)).status_code == 200
    partner = Partner.objects.get()
    assert partner.stripe_subscription_id == second["subscription"]

    ended = subscription(first, first_reference, status="canceled")
    assert send(client, event("customer.subscription.deleted", ended)).status_code == 200
    partner.refresh_from_db()
    assert (partner.stripe_subscription_id, partner.subscription_status,
            partner.monthly_amount_cents) == (second["subscription"], "active", 10000)


def _late(evt, seconds=120):
    """An event Stripe made earlier and delivers only now (it retries, out of order)."""
    evt["created"] -= seconds
    return evt


@pytest.mark.parametrize("late", ["invoice.paid", "customer.subscription.updated",
                                  "invoice.payment_failed"])
def test_a_cancelled_monthly_gift_stays_cancelled_whatever_late_event_comes(
        client, db, stripe_on, late):
    """Stripe does not promise the order of events. A partner stops her monthly gift;
    an event made before that arrives after it: invoice.paid sets the state back to
    active, customer.subscription.updated (status active) too, and
    invoice.payment_failed sets "past due" and mails her to update her card because
    "our payment provider will try again", on a gift that has ended."""
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    earlier = {
        "invoice.paid": lambda: event("invoice.paid", invoice(
            subscription=session["subscription"], customer=session["customer"],
            amount=5000, pledge=reference)),
        "customer.subscription.updated": lambda: event(
            "customer.subscription.updated", subscription(session, reference)),
        "invoice.payment_failed": lambda: event("invoice.payment_failed", dict(invoice(
            subscription=session["subscription"], customer=session["customer"],
            amount=5000, pledge=reference), status="open", amount_paid=0)),
    }[late]()
    _late(earlier)
    ended = event("customer.subscription.deleted", subscription(session, reference,
                                                                status="canceled"))
    assert send(client, ended).status_code == 200
    mails = len(delivered())
    assert send(client, earlier).status_code == 200
    partner = Partner.objects.get()
    assert partner.subscription_status == "cancelled"
    assert not [m for m in delivered()[mails:] if "did not go through" in m.subject]


def test_a_late_payment_failure_does_not_undo_the_payment_that_followed_it(
        client, db, stripe_on):
    """A month's card payment fails, Stripe retries it an hour later and it goes
    through; the failure's event is delivered after the payment's (Stripe retries
    deliveries, in no promised order). The partner, paid up and just sent her
    receipt, is set "past due" and mailed that her gift "did not go through"."""
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    this_month = invoice(subscription=session["subscription"], customer=session["customer"],
                         amount=5000, pledge=reference)
    failed = _late(event("invoice.payment_failed",
                         dict(this_month, status="open", amount_paid=0)), 3600)
    assert send(client, event("invoice.paid", this_month)).status_code == 200
    assert send(client, failed).status_code == 200
    assert Partner.objects.get().subscription_status == "active"
    assert [m.subject for m in delivered() if "did not go through" in m.subject] == []


def test_a_monthly_gift_changed_in_the_portal_is_still_recorded_and_receipted(
        client, db, stripe_on):
    """The receipt promises "change or stop your monthly gift" through the portal.
    A partner raises hers from $50 to $75 there: Stripe reports the new price in
    customer.subscription.updated, which the site does not read, so every invoice.paid
    of $75 from then on is an "amount disagrees" alert: no gift, no receipt, ever."""
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    raised = subscription(session, reference, items={"object": "list", "data": [{
        "id": "si_1", "object": "subscription_item", "quantity": 1,
        "price": {"id": "price_75", "object": "price", "currency": "usd",
                  "unit_amount": 7500, "recurring": {"interval": "month"}}}]})
    assert send(client, event("customer.subscription.updated", raised)).status_code == 200
    response = send(client, event("invoice.paid", invoice(
        subscription=session["subscription"], customer=session["customer"], amount=7500,
        pledge=reference)))
    assert response.status_code == 200
    assert not GivingAlert.objects.exists()
    assert Gift.objects.get().amount_cents == 7500
    assert ["$75" in m.body for m in delivered()] == [True]


# Strangers and partners matched by email.


def test_a_stranger_who_types_a_partners_email_does_not_get_her_stripe_customer(
        client, db, stripe_on):
    """Anyone who types a partner's email address, logged out, is matched to her
    partner (the first made with that address) and Checkout is opened on her Stripe
    customer. The stranger's card and monthly gift then sit on her customer: her
    receipt link's portal shows the stranger's card and subscription, the stranger's
    new subscription becomes "her" monthly gift on record, and Checkout prefills her
    customer's details for the stranger."""
    paid_monthly(client, stripe_on)
    lydia = Partner.objects.get()
    stranger = Client()
    response = stranger.post("/partner/", pledge_form(amount_choice="25"))
    assert response.status_code == 303
    (_, _, form, _) = stripe_on.api_calls("/v1/checkout/sessions")[-1]
    assert form.get("customer") != lydia.stripe_customer_id


def _hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_pressing_give_twice_before_the_first_answer_arrives_opens_one_session(
        client, db, stripe_on):
    """A first-time visitor double-clicks Give while Stripe takes its time: the
    browser drops the first request's answer, and with it the session cookie that
    names the pledge just made, so the second click arrives as a stranger: a second
    pledge, a second reference in the idempotency key, a second Checkout session
    (and, if Stripe is then away, a second follow-up for staff)."""
    page = client.get("/partner/").content.decode()
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    form = {**_hidden_fields(page), **pledge_form()}
    first = client.post("/partner/", form)
    second_click = Client()
    for name, value in cookies.items():
        second_click.cookies[name] = value
    second = second_click.post("/partner/", form)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert len(stripe_on.sessions) == 1 and PartnerPledge.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_member_giving_from_two_tabs_at_once_gets_no_500(stripe_on, monkeypatch):
    """A logged-in member with no partner yet gives from two tabs at the same moment
    (two amounts). partner_for's select_for_update finds no row to lock, both create
    a Partner for the member, and the one-to-one refuses the second: IntegrityError,
    a 500 on one tab. (Each tab's create waits, at most two seconds, for the other to
    get there too, so the narrow window is always hit.)"""
    member = make_member(email="ruth@example.org", display_name="Ruth Moab")
    both_there = threading.Barrier(2)
    create = Partner.objects.create

    def create_when_both_looked(**fields):
        try:
            both_there.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return create(**fields)

    monkeypatch.setattr(Partner.objects, "create", create_when_both_looked)

    def tab(amount, ip):
        browser = Client(REMOTE_ADDR=f"192.0.2.{ip}", raise_request_exception=False)
        browser.force_login(member)
        return browser.post("/partner/", pledge_form(
            first_name="Ruth", last_name="Moab", email="ruth@example.org",
            amount_choice=amount)).status_code

    assert sorted(at_once([lambda: tab("25", 1), lambda: tab("50", 2)])) == [303, 303]
    assert Partner.objects.filter(member=member).count() == 1


# Receipts and settings.


def test_a_members_receipts_follow_the_email_of_their_account(client, db, stripe_on):
    """A member's partner keeps the address typed at the first gift for ever. When the
    member changes the email of their account (an old work address, since handed to
    someone else), every receipt, with its signed link to the member's portal (card,
    monthly gift, cancel), still goes to the old address."""
    member = make_member(email="ruth@old.example", display_name="Ruth Moab")
    client.force_login(member)
    session = paid_monthly(client, stripe_on, first_name="Ruth", last_name="Moab",
                           email="ruth@old.example")
    member.email = "ruth@new.example"
    member.save(update_fields=["email"])
    response = send(client, event("invoice.paid", invoice(
        subscription=session["subscription"], customer=session["customer"], amount=5000,
        pledge=PartnerPledge.objects.get().reference)))
    assert response.status_code == 200
    receipt, = [m for m in delivered() if "Receipt" in m.subject]
    assert receipt.to == ["ruth@new.example"]




def test_a_sent_receipt_keeps_no_working_link_to_the_partners_portal(client, db, stripe_on):
    """Every receipt and failed-payment note carries a signed link, good for 400 days,
    that opens the partner's Stripe portal (change the card, see payments and billing
    address, stop the gift) without logging in. Security mails, whose links open an
    account, keep only their envelope once sent; these keep their whole text in the
    outbox table, readable in admin by anyone who may view mail, and in every backup."""
    session = paid_monthly(client, stripe_on)
    reference = PartnerPledge.objects.get().reference
    this_month = invoice(subscription=session["subscription"], customer=session["customer"],
                         amount=5000, pledge=reference)
    send(client, event("invoice.paid", this_month))
    send(client, event("invoice.payment_failed", dict(invoice(
        subscription=session["subscription"], customer=session["customer"], amount=5000,
        pledge=reference), status="open", amount_paid=0)))
    assert len(delivered()) == 2
    kept = [f"{m.body}\n{m.html}" for m in OutboxMessage.objects.filter(
        kind__startswith="partners/email/")]
    assert len(kept) == 2
    tokens = [t for text in kept for t in re.findall(r"/partner/manage/([^/\s]+)/", text)]
    assert [partner_from_token(t) for t in tokens if partner_from_token(t)] == []


def test_online_giving_without_an_ein_is_reported_by_the_deploy_checks(settings, stripe_on):
    """With Stripe's keys set and MINISTRY_EIN left empty, online giving is on and
    every receipt goes out without the EIN the issue requires of a tax receipt, and
    nothing warns the ministry: no system check names the setting."""
    settings.MINISTRY_EIN = ""
    found = checks.run_checks(include_deployment_checks=True)
    assert not giving.online_giving_on() or any("MINISTRY_EIN" in message.msg
                                                for message in found)

