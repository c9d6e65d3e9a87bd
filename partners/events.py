"""Stripe's signed events, the only source of what was given: each one is taken once
(its id is stored in the same transaction as what it changed), gifts and receipts
come from paid invoices and paid checkouts, and anything that names a customer or
subscription the site never made, or disagrees with our amounts, is set aside for
staff rather than trusted."""
import logging
from datetime import UTC, datetime

from django.db import DataError, transaction

from library.db import insert_once

from . import giving
from .models import Gift, GivingAlert, Partner, PartnerPledge, ProcessedEvent
from .services import payment_failed_mail, receipt_mail

logger = logging.getLogger(__name__)

CURRENCY = "usd"
# A monthly gift's amount, as the partner form allows it (5 to 100,000 dollars).
MIN_CENTS, MAX_CENTS = 5_00, 100_000_00


# What an event's contents can raise when they are not what Stripe documents: a
# missing or mistyped field, a date past what a datetime holds, a value the
# database cannot store.
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError,
              DataError)


def take(event: dict) -> str:
    """Apply one verified event (giving.verified_event): "taken", "replayed" (its id
    was taken before), "ignored" (a type we do not use) or "unreadable" (set aside
    for staff)."""
    handler = HANDLERS.get(event.get("type"))
    if handler is None:
        return "ignored"
    try:
        with transaction.atomic():
            if not insert_once(ProcessedEvent, event_id=event["id"], event_type=event["type"]):
                return "replayed"
            handler(event, event["data"]["object"])
    except UNREADABLE:
        logger.exception("A Stripe event could not be read: %s", event.get("id"))
        with transaction.atomic():
            if not insert_once(ProcessedEvent, event_id=event["id"], event_type=event["type"]):
                return "replayed"
            _alert(event, GivingAlert.Reason.UNREADABLE, "The event's contents could not be read.")
        return "unreadable"
    return "taken"


def _alert(event, reason, detail, partner=None) -> None:
    GivingAlert.objects.create(event_id=event["id"], event_type=event["type"], reason=reason,
                               detail=detail, partner=partner)


def _pledge(metadata) -> PartnerPledge | None:
    """The pledge whose reference we put in the metadata of what Stripe made for it."""
    reference = (metadata or {}).get("pledge")
    if not reference:
        return None
    return (PartnerPledge.objects.select_related("partner")
            .filter(reference=reference, partner__isnull=False).first())


def _locked(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


def _cents(pledge: PartnerPledge) -> int:
    return int(pledge.amount * 100)


def _when(timestamp) -> datetime:
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


def _agrees(event, partner, *, amount, currency, expected) -> bool:
    """Whether the event's amount and currency are ours; if not, staff are told and
    nothing is recorded from it."""
    if currency == CURRENCY and expected is not None and amount == expected:
        return True
    _alert(event, GivingAlert.Reason.AMOUNT_MISMATCH,
           f"The event says {amount} {str(currency).upper()} (in cents); we expected "
           f"{expected} {CURRENCY.upper()}.", partner)
    return False


def _link_customer(event, partner: Partner, customer_id) -> None:
    """The partner's Stripe customer, set the first time an event names one. Another
    customer for the same partner is kept for staff to look at."""
    if not customer_id or partner.stripe_customer_id == customer_id:
        return
    if partner.stripe_customer_id or Partner.objects.filter(
            stripe_customer_id=customer_id).exists():
        _alert(event, GivingAlert.Reason.OTHER_CUSTOMER,
               f"Stripe customer {customer_id} gave for this partner, who is linked to "
               f"{partner.stripe_customer_id or 'another partner'}.", partner)
        return
    partner.stripe_customer_id = customer_id
    partner.save(update_fields=["stripe_customer_id", "updated_at"])


def _newest(event, partner: Partner) -> bool:
    """Whether `event` is no older than the newest one that set the partner's monthly
    gift (events made in the same second are taken in the order they come)."""
    return (partner.subscription_changed_at is None
            or _when(event["created"]) >= partner.subscription_changed_at)


def _set_subscription(event, partner: Partner, **fields) -> None:
    when = _when(event["created"])
    if "subscription_status" in fields:
        fields.update(_desk_dates(partner, fields["subscription_status"], when))
    for name, value in fields.items():
        setattr(partner, name, value)
    if partner.subscription_changed_at is None or when > partner.subscription_changed_at:
        partner.subscription_changed_at = when
    partner.save(update_fields=[*fields, "subscription_changed_at", "updated_at"])


def _desk_dates(partner: Partner, state, when) -> dict:
    """For the giving desk: when a monthly payment last failed (cleared once one is
    paid again), and when the monthly gift ended."""
    if state == Partner.Subscription.PAST_DUE:
        return {"payment_failed_at": when}
    if state == Partner.Subscription.CANCELLED:
        return {"stopped_at": partner.stopped_at or when}
    return {"payment_failed_at": None, "stopped_at": None}


def _link_subscription(event, partner: Partner, subscription_id, pledge) -> None:
    """A new monthly gift becomes the partner's current one, unless a newer event has
    already set another, or the subscription belongs to someone else."""
    if not subscription_id or partner.stripe_subscription_id == subscription_id:
        return
    if not _newest(event, partner):
        return
    if Partner.objects.filter(stripe_subscription_id=subscription_id).exists():
        return
    _set_subscription(
        event, partner, stripe_subscription_id=subscription_id,
        subscription_status=Partner.Subscription.ACTIVE,
        monthly_amount_cents=_cents(pledge) if pledge is not None else None,
        monthly_amount_changed_at=_when(event["created"]))


def _live(partner: Partner) -> bool:
    """Whether the partner has a monthly gift that has not ended."""
    return bool(partner.stripe_subscription_id) and (
        partner.subscription_status != Partner.Subscription.CANCELLED)


def _current(partner: Partner, subscription_id) -> bool:
    return bool(subscription_id) and subscription_id == partner.stripe_subscription_id


def _move_state(event, partner: Partner, subscription_id, state, **fields) -> None:
    """The state of the partner's current monthly gift, from an event newer than any
    that set it before. An ended gift stays ended: Stripe never starts a cancelled
    subscription again."""
    if not _current(partner, subscription_id) or not _newest(event, partner):
        return
    if partner.subscription_status == Partner.Subscription.CANCELLED:
        return
    _set_subscription(event, partner, subscription_status=state, **fields)


def _pledge_active(pledge) -> None:
    if pledge is not None and pledge.status != PartnerPledge.Status.ACTIVE:
        PartnerPledge.objects.filter(pk=pledge.pk).update(status=PartnerPledge.Status.ACTIVE)


def checkout_completed(event, session) -> None:
    """A partner finished Stripe's checkout: their customer is theirs from now on; a
    one-time gift is recorded when the payment is paid (a monthly gift comes with
    its invoice)."""
    pledge = _pledge(session.get("metadata"))
    if pledge is None:
        _alert(event, GivingAlert.Reason.UNKNOWN_CUSTOMER,
               f"A checkout the site did not open (customer {session.get('customer')}).")
        return
    partner = _locked(pledge.partner)
    _link_customer(event, partner, session.get("customer"))
    if session["mode"] == "subscription":
        _link_subscription(event, partner, session.get("subscription"), pledge)
        return
    if session.get("payment_status") != "paid":
        return
    if not _agrees(event, partner, amount=session.get("amount_total"),
                   currency=session.get("currency"), expected=_cents(pledge)):
        return
    if Gift.objects.filter(stripe_checkout_session_id=session["id"]).exists():
        return
    gift = Gift.objects.create(
        partner=partner, kind=Gift.Kind.ONE_TIME, amount_cents=session["amount_total"],
        currency=session["currency"], given_at=_when(event["created"]),
        stripe_checkout_session_id=session["id"],
        stripe_payment_intent_id=session.get("payment_intent") or "",
    )
    _pledge_active(pledge)
    receipt_mail(gift)


def _invoice_subscription(invoice) -> tuple[str | None, dict]:
    """The subscription an invoice bills, and its metadata, in the shape of the API
    version the account uses (under `parent` since 2025, on the invoice before)."""
    details = ((invoice.get("parent") or {}).get("subscription_details")
               or invoice.get("subscription_details") or {})
    subscription = details.get("subscription") or invoice.get("subscription")
    if isinstance(subscription, dict):
        subscription = subscription.get("id")
    return subscription, details.get("metadata") or {}


def _invoice_partner(event, invoice):
    """The partner an invoice is for, the pledge it began with (when the metadata
    names one) and the amount it must be; staff are told of an invoice for a
    subscription the site never made."""
    subscription, metadata = _invoice_subscription(invoice)
    pledge = _pledge(metadata)
    partner = pledge.partner if pledge else (
        Partner.objects.filter(stripe_subscription_id=subscription).first()
        if subscription else None)
    if partner is None:
        _alert(event, GivingAlert.Reason.UNKNOWN_SUBSCRIPTION,
               f"Subscription {subscription} (customer {invoice.get('customer')}) is not one "
               "the site made.")
        return None, None, None
    partner = _locked(partner)
    current = subscription and subscription == partner.stripe_subscription_id
    expected = (partner.monthly_amount_cents if current and partner.monthly_amount_cents
                else _cents(pledge) if pledge else partner.monthly_amount_cents)
    return partner, pledge, expected


def _payment_ids(invoice) -> tuple[str, str]:
    """The payment intent and charge behind an invoice, where the event carries them."""
    intent = invoice.get("payment_intent") or ""
    for payment in ((invoice.get("payments") or {}).get("data") or []):
        intent = intent or (payment.get("payment") or {}).get("payment_intent") or ""
    return (intent if isinstance(intent, str) else intent.get("id", "")), (
        invoice.get("charge") or "")


def invoice_paid(event, invoice) -> None:
    """A monthly gift was paid, the first one included: a gift and its receipt."""
    partner, pledge, expected = _invoice_partner(event, invoice)
    if partner is None or not invoice.get("amount_paid"):
        return
    if not _agrees(event, partner, amount=invoice["amount_paid"],
                   currency=invoice.get("currency"), expected=expected):
        return
    if Gift.objects.filter(stripe_invoice_id=invoice["id"]).exists():
        return
    subscription, _ = _invoice_subscription(invoice)
    _link_customer(event, partner, invoice.get("customer"))
    if not _live(partner):
        # Its checkout's event may come later; a gift still running is not replaced
        # by the invoice of another (an earlier gift of theirs, still billing).
        _link_subscription(event, partner, subscription, pledge)
    _move_state(event, partner, subscription, Partner.Subscription.ACTIVE)
    intent, charge = _payment_ids(invoice)
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at") or event["created"]
    gift = Gift.objects.create(
        partner=partner, kind=Gift.Kind.MONTHLY, amount_cents=invoice["amount_paid"],
        currency=invoice["currency"], given_at=_when(paid_at), stripe_invoice_id=invoice["id"],
        stripe_payment_intent_id=intent, stripe_charge_id=charge,
    )
    _pledge_active(pledge)
    receipt_mail(gift)


def invoice_payment_failed(event, invoice) -> None:
    """A monthly payment did not go through: the gift is past due, and the partner
    gets a kind note with the link to update their card; not when the invoice has
    since been paid, or the gift has ended."""
    partner, _, _ = _invoice_partner(event, invoice)
    if partner is None:
        return
    if Gift.objects.filter(stripe_invoice_id=invoice["id"]).exists():
        return
    subscription, _ = _invoice_subscription(invoice)
    if _current(partner, subscription) and not _live(partner):
        return
    _move_state(event, partner, subscription, Partner.Subscription.PAST_DUE)
    payment_failed_mail(partner, amount_cents=invoice.get("amount_due"))


# Stripe's subscription statuses, as the ministry speaks of a monthly gift.
SUBSCRIPTION_STATES = {
    "active": Partner.Subscription.ACTIVE,
    "trialing": Partner.Subscription.ACTIVE,
    "past_due": Partner.Subscription.PAST_DUE,
    "unpaid": Partner.Subscription.PAST_DUE,
    "canceled": Partner.Subscription.CANCELLED,
    "incomplete_expired": Partner.Subscription.CANCELLED,
}


def subscription_changed(event, subscription) -> None:
    """A monthly gift changed (its state or its amount, in the portal) or ended: the
    partner's record follows, for the subscription that is their current one only.
    An event never makes a subscription current: that is for its checkout."""
    pledge = _pledge(subscription.get("metadata"))
    partner = pledge.partner if pledge else Partner.objects.filter(
        stripe_subscription_id=subscription["id"]).first()
    if partner is None:
        _alert(event, GivingAlert.Reason.UNKNOWN_SUBSCRIPTION,
               f"Subscription {subscription['id']} (customer {subscription.get('customer')}) "
               "is not one the site made.")
        return
    partner = _locked(partner)
    if not _current(partner, subscription["id"]):
        return  # an earlier monthly gift of theirs, or one whose checkout is still to come
    _link_customer(event, partner, subscription.get("customer"))
    if event["type"] == "customer.subscription.deleted":
        state = Partner.Subscription.CANCELLED
    else:
        state = SUBSCRIPTION_STATES.get(subscription.get("status"))
    if state == Partner.Subscription.CANCELLED:
        # An ending is final, whenever its event comes.
        if partner.subscription_status != state:
            _set_subscription(event, partner, subscription_status=state)
        return
    if subscription.get("items") is not None:
        _change_amount(event, partner, subscription["items"])
    if state:
        _move_state(event, partner, subscription["id"], state)


def _change_amount(event, partner: Partner, items) -> None:
    """The amount of the partner's current monthly gift, as changed in the portal,
    from an event newer than any that set it before."""
    if partner.monthly_amount_changed_at and (
            _when(event["created"]) < partner.monthly_amount_changed_at):
        return
    amount = _monthly_amount(items)
    if amount is None:
        _alert(event, GivingAlert.Reason.AMOUNT_MISMATCH,
               "The monthly gift was changed to prices we cannot read as US dollars a "
               f"month; we keep {partner.monthly_amount_cents} (in cents).", partner)
        return
    partner.monthly_amount_cents = amount
    partner.monthly_amount_changed_at = _when(event["created"])
    partner.save(update_fields=["monthly_amount_cents", "monthly_amount_changed_at",
                                "updated_at"])


def _monthly_amount(items) -> int | None:
    """What a subscription bills each month, in cents, from its items (the partner
    may change the amount in the portal): each price's unit amount times its
    quantity. None unless every item is a monthly price in US dollars and the whole
    is an amount a gift may be."""
    total = 0
    for item in items["data"]:
        price = item["price"]
        amount, quantity = price.get("unit_amount"), item.get("quantity", 1)
        if (price.get("currency") != CURRENCY
                or (price.get("recurring") or {}).get("interval") != "month"
                or not _count(amount) or not _count(quantity)):
            return None
        total += amount * quantity
    return total if MIN_CENTS <= total <= MAX_CENTS else None


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def charge_refunded(event, charge) -> None:
    """Money went back: the gift it came from shows how much. A monthly gift's
    payment is looked up at Stripe (its invoice); if Stripe is away, the event is
    answered 503 and Stripe sends it again later."""
    intent = charge.get("payment_intent") or ""
    gift = None
    if intent:
        gift = Gift.objects.select_for_update().filter(stripe_payment_intent_id=intent).first()
    invoice_id = charge.get("invoice")
    if gift is None and not invoice_id and intent:
        invoice_id = giving.invoice_for_payment(intent)
    if gift is None and invoice_id:
        gift = Gift.objects.select_for_update().filter(stripe_invoice_id=invoice_id).first()
    if gift is None:
        gift = Gift.objects.select_for_update().filter(stripe_charge_id=charge["id"]).first()
    if gift is None:
        _alert(event, GivingAlert.Reason.UNKNOWN_PAYMENT,
               f"A refund of charge {charge['id']} (customer {charge.get('customer')}), which "
               "no gift here records.")
        return
    refunded = charge.get("amount_refunded")
    if charge.get("currency") != gift.currency or not isinstance(refunded, int) or not (
            0 < refunded <= gift.amount_cents):
        _alert(event, GivingAlert.Reason.AMOUNT_MISMATCH,
               f"A refund of {refunded} {str(charge.get('currency')).upper()} (in cents) on a "
               f"gift of {gift.amount_cents} {gift.currency.upper()}.", gift.partner)
        return
    gift.refunded_cents = max(gift.refunded_cents, refunded)
    gift.status = (Gift.Status.REFUNDED if gift.refunded_cents == gift.amount_cents
                   else Gift.Status.PARTLY_REFUNDED)
    gift.stripe_charge_id = gift.stripe_charge_id or charge["id"]
    gift.save(update_fields=["refunded_cents", "status", "stripe_charge_id"])


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    # A bank payment finishes days after the checkout, with the session paid then.
    "checkout.session.async_payment_succeeded": checkout_completed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "charge.refunded": charge_refunded,
}
