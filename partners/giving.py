"""Everything the site asks of Stripe, through its official library: a checkout for a
gift, and the customer portal where a partner manages theirs. No card data ever
reaches the site; what was given is learned only from Stripe's signed events
(partners.events)."""
import hashlib
import json
import logging
import re
from urllib.parse import urlsplit

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)


class ProviderAway(Exception):
    """Stripe did not answer in time, or refused: the partner is told, staff follow up."""


def online_giving_on() -> bool:
    """Gifts go through Stripe only when both its keys are set; otherwise pledges."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def check_receipt_settings(app_configs=None, **kwargs) -> list:
    """A deploy check: with online giving on, every gift gets a tax receipt, and a
    501(c)(3) receipt names the ministry's EIN."""
    from django.core.checks import Error

    if online_giving_on() and not settings.MINISTRY_EIN.strip():
        return [Error(
            "Online giving is on (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set) but "
            "MINISTRY_EIN is empty: every receipt would go out without the EIN a tax "
            "receipt needs.",
            hint="Set MINISTRY_EIN (and MINISTRY_LEGAL_NAME) to the ministry's, as on its "
                 "IRS letter.",
            id="partners.E001")]
    return []


def page_origins() -> list[str]:
    """Where a form on our pages may lead: Stripe's own pages, and a stand-in's when
    STRIPE_API_BASE names one (Content-Security-Policy's form-action applies to the
    redirect too)."""
    origins = list(settings.STRIPE_PAGE_ORIGINS)
    base = urlsplit(settings.STRIPE_API_BASE)
    if base.netloc and base.netloc != "api.stripe.com":
        origins.append(f"{base.scheme}://{base.netloc}")
    return origins


def _client() -> stripe.StripeClient:
    # One try with a short wait: a partner is waiting at the other end, and a
    # second press of Give repeats the same request (its idempotency key).
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
        max_network_retries=0,
    )


def checkout_session(*, pledge, customer_id: str | None, success_url: str,
                     cancel_url: str) -> dict:
    """Open Stripe Checkout for `pledge`: a monthly subscription or a one-time payment
    of its amount in US dollars. The pledge's reference rides along as metadata on
    the session, the subscription and the payment, so every event finds it; with
    what was asked it makes the idempotency key, so pressing Give twice opens one
    session."""
    cents = int(pledge.amount * 100)
    monthly = pledge.frequency == pledge.Frequency.MONTHLY
    metadata = {"pledge": pledge.reference}
    price_data = {
        "currency": "usd",
        "unit_amount": cents,
        "product_data": {"name": f"{'Monthly gift' if monthly else 'Gift'} to "
                                 f"{settings.MINISTRY_NAME}"},
    }
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "client_reference_id": pledge.reference,
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if monthly:
        price_data["recurring"] = {"interval": "month"}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata}
        params["customer_creation"] = "always"
    if customer_id:
        # One customer a partner, so one portal shows all their gifts.
        params["customer"] = customer_id
        params.pop("customer_creation", None)
    else:
        params["customer_email"] = pledge.email
    # The same pledge asked the same way is the same request; asked otherwise (the
    # partner has since become a Stripe customer), a new one, which Stripe would
    # otherwise refuse for reusing the key.
    asked = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    session = _call(lambda client: client.v1.checkout.sessions.create(
        params=params, options={"idempotency_key": f"checkout-{pledge.reference}-{asked}"}))
    return {"id": session["id"], "url": session["url"]}


def portal_url(*, customer_id: str, return_url: str) -> str:
    """A customer-portal session for this one customer: where they change their card,
    their monthly gift, or stop it."""
    session = _call(lambda client: client.v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": return_url}))
    return session["url"]


def invoice_for_payment(payment_intent: str) -> str | None:
    """The invoice a payment paid, for a refund of a monthly gift: since 2025 Stripe's
    invoices no longer carry their payment, so the refund names only the payment."""
    payments = _call(lambda client: client.v1.invoice_payments.list(params={
        "payment": {"type": "payment_intent", "payment_intent": payment_intent},
        "limit": 1}))
    return payments.data[0]["invoice"] if payments.data else None


def _call(request):
    try:
        return request(_client())
    except stripe.StripeError as error:
        logger.warning("Stripe refused or did not answer: %s", error.__class__.__name__)
        raise ProviderAway from error


def verified_event(payload: bytes, signature: str) -> dict:
    """The event Stripe signed, checked with the library's own check and a five-minute
    tolerance, and shaped as an event: an object with an id we can store and a type.
    Raises ValueError for anything forged, old or unreadable."""
    if not signature.isascii():
        # A header byte above 127 would reach the library's compare_digest as text
        # it refuses with TypeError; Stripe's signatures are hex.
        raise ValueError("The signature header is not Stripe's.")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=300)
        event = json.loads(text)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError,
            RecursionError) as error:
        raise ValueError(str(error)) from error
    if not is_event(event):
        raise ValueError("The body is not an event.")
    return event


EVENT_ID = re.compile(r"evt_[0-9A-Za-z_]{1,250}")


def is_event(event) -> bool:
    """Whether a signed body is an event we can keep: an object whose id is Stripe's
    kind of id (short, plain letters and digits, so the database can store it), with
    a type and a creation time."""
    return (isinstance(event, dict)
            and isinstance(event.get("id"), str) and EVENT_ID.fullmatch(event["id"]) is not None
            and isinstance(event.get("type"), str) and len(event["type"]) <= 100
            and isinstance(event.get("created"), int)
            and not isinstance(event.get("created"), bool))
