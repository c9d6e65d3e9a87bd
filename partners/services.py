"""Writes on pledges and partners: storing a pledge (once, even when the form is sent
twice) and its mail, sending it on to Stripe's checkout, receipts, and the signed
links that let a partner manage their own gift."""
import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from library.mail import outbox
from library.models import OutboxMessage

from . import giving
from .models import Gift, Partner, PartnerPledge

logger = logging.getLogger(__name__)

# The pledge this browser just made, for its thanks page, and its recent ones, for
# double submits. Personal: forgotten when anyone logs in or out on the browser.
PLEDGE_SESSION_KEY = "partner_pledge"
PLEDGES_SESSION_KEY = "partner_pledges"


def forget_pledges_in_session(session) -> None:
    for key in (PLEDGE_SESSION_KEY, PLEDGES_SESSION_KEY):
        session.pop(key, None)



DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud


def new_reference() -> str:
    return "P-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def _form_key(form_token: str, member, fields) -> str | None:
    """One form sent with one content by one person, as a key; None without a token."""
    if not form_token:
        return None
    who = member.pk if member is not None and member.is_authenticated else ""
    asked = "|".join([form_token, str(who), fields["email"].lower(), str(fields["amount"]),
                      fields["frequency"]])
    return hashlib.sha256(asked.encode()).hexdigest()


@transaction.atomic
def create_pledge(*, member=None, earlier_ids=(), form_token="", notify=True,
                  **fields) -> tuple[PartnerPledge, bool]:
    """Store a pledge, or return the one just made if this is a double submit: the
    same form (`form_token`, made when it was shown) sent again with the same
    content, or one of `earlier_ids` (pledges made from the same browser) with the
    same email, amount and frequency, within ten minutes. The form's key is unique,
    so two presses arriving together make one pledge. Its mail is recorded with it
    (see `pledge_mail`) unless `notify` is off: a pledge about to go to Stripe's
    checkout is thanked by its receipt instead."""
    form_key = _form_key(form_token, member, fields)
    same = models.Q(pk__in=list(earlier_ids))
    if form_key:
        same |= models.Q(form_key=form_key)
    recent = (
        PartnerPledge.objects.select_for_update()
        .filter(
            same,
            email__iexact=fields["email"],
            amount=fields["amount"],
            frequency=fields["frequency"],
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by("created_at")
        .first()
    )
    if recent is not None:
        return recent, False
    for _ in range(10):
        try:
            with transaction.atomic():
                pledge = PartnerPledge.objects.create(
                    reference=new_reference(), form_key=form_key,
                    member=member if member is not None and member.is_authenticated else None,
                    **fields,
                )
            break
        except IntegrityError:
            # The same form, sent a moment ago by a press that got there first; or,
            # long since, one the partner sends again (a pledge of its own); or the
            # rare reference collision: draw again.
            made = PartnerPledge.objects.filter(form_key=form_key).first() if form_key else None
            if made is not None:
                if made.created_at >= timezone.now() - DOUBLE_SUBMIT_WINDOW:
                    return made, False
                form_key = None
            continue
    else:
        raise RuntimeError("Could not find a free pledge reference.")
    if notify:
        pledge_mail(pledge)
    return pledge, True


def pledge_mail(pledge: PartnerPledge) -> None:
    """Thank the partner and tell the team, in the pledge's own transaction."""
    context = {"pledge": pledge, "checkout_url": settings.PARTNER_CHECKOUT_URL,
               "tax_notice": settings.MINISTRY_TAX_NOTICE}
    outbox.send("partners/email/thanks", context, to=pledge.email, member=pledge.member)
    if settings.PARTNER_NOTIFY_EMAIL:
        outbox.send("partners/email/staff_alert", context, to=settings.PARTNER_NOTIFY_EMAIL)


def partner_for(*, member, email: str, first_name: str, last_name: str) -> Partner:
    """The partner giving: the logged-in member's own, or else the one with this email
    address (the first made), or a new one. Two tabs of one member asking at once
    get the same partner: the one-to-one decides, and the tab that lost reads the
    winner's."""
    if member is not None and member.is_authenticated:
        for _ in range(2):
            partner = Partner.objects.filter(member=member).first()
            if partner is not None:
                return partner
            try:
                with transaction.atomic():
                    return Partner.objects.create(member=member, email=email,
                                                  first_name=first_name, last_name=last_name)
            except IntegrityError:
                continue
        raise RuntimeError("A member's partner was made and then gone.")
    return (Partner.objects.filter(email__iexact=email).order_by("pk").first()
            or Partner.objects.create(email=email, first_name=first_name,
                                      last_name=last_name))


def _own_customer(pledge: PartnerPledge, partner: Partner) -> str | None:
    """The Stripe customer a checkout may be opened on: only a logged-in member's own
    partner's. Anyone can type an email address, so a partner matched by it gets a
    checkout of their own (customer_email), never the customer, saved cards and
    portal of whoever first gave with that address; a second customer for one
    partner reaches staff as an alert (events._link_customer)."""
    if pledge.member_id is not None and partner.member_id == pledge.member_id:
        return partner.stripe_customer_id or None
    return None


def give_online(*, pledge: PartnerPledge, partner: Partner, success_url: str,
                cancel_url: str) -> str:
    """Open Stripe's checkout for `pledge` and return its address. Pressing Give twice
    finds the same pledge (`create_pledge`) and so the same session. Raises
    giving.ProviderAway when Stripe is away; the pledge stays for staff."""
    if pledge.partner_id != partner.pk:
        PartnerPledge.objects.filter(pk=pledge.pk).update(partner=partner)
        pledge.partner = partner
    session = giving.checkout_session(pledge=pledge, customer_id=_own_customer(pledge, partner),
                                      success_url=success_url, cancel_url=cancel_url)
    if pledge.checkout_session_id != session["id"]:
        PartnerPledge.objects.filter(pk=pledge.pk).update(checkout_session_id=session["id"])
        pledge.checkout_session_id = session["id"]
    return session["url"]


@transaction.atomic
def checkout_failed(*, pledge: PartnerPledge, first_time: bool) -> None:
    """Stripe was away: the pledge stays, and the partner and staff hear of it as of
    any pledge (once), so someone follows up."""
    PartnerPledge.objects.filter(pk=pledge.pk, staff_note="").update(
        staff_note="Online checkout could not be opened (the payment provider was away). "
        "Please follow up.")
    if first_time:
        pledge_mail(pledge)


# Links in receipts and mails that open the customer portal for one partner, for
# donors without an account: signed with the site's key, for this purpose only.
MANAGE_SALT = "partners.manage-gift"
MANAGE_MAX_AGE = timedelta(days=400)


def manage_token(partner: Partner) -> str:
    return signing.dumps(partner.pk, salt=MANAGE_SALT)


def partner_from_token(token: str) -> Partner | None:
    """The partner a manage link was made for; None when forged, altered or too old."""
    try:
        pk = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature:
        return None
    return Partner.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def manage_url(partner: Partner) -> str:
    return settings.SITE_URL + reverse("partner:manage", args=[manage_token(partner)])


def partner_address(partner: Partner) -> str:
    """Where a partner's mail goes: a member's account email as it is now (they may
    have changed it since their first gift), otherwise the address they gave."""
    if partner.member_id is not None and partner.member.email:
        return partner.member.email
    return partner.email


# A receipt's or payment note's link opens the partner's portal (their card, their
# gift) without logging in: once sent, the outbox keeps only its envelope, as it
# does for security mail. The gift itself stays on record.
PORTAL_LINK = OutboxMessage.Keeps.ENVELOPE


def receipt_mail(gift: Gift) -> None:
    """The tax receipt for a paid gift, in the transaction that recorded it."""
    partner = gift.partner
    outbox.send("partners/email/receipt", {
        "gift": gift, "partner": partner, "manage_url": manage_url(partner),
        "ministry_name": settings.MINISTRY_NAME, "legal_name": settings.MINISTRY_LEGAL_NAME,
        "ein": settings.MINISTRY_EIN,
    }, to=partner_address(partner), member=partner.member, keeps=PORTAL_LINK)


def payment_failed_mail(partner: Partner, *, amount_cents: int | None) -> None:
    """A kind word when a monthly payment did not go through, with the link to
    update the card."""
    outbox.send("partners/email/payment_failed", {
        "partner": partner, "manage_url": manage_url(partner),
        "amount": Gift(amount_cents=amount_cents).amount_display if amount_cents else "",
        "ministry_name": settings.MINISTRY_NAME,
    }, to=partner_address(partner), member=partner.member, keeps=PORTAL_LINK)


@transaction.atomic
def link_pledge(*, pledge: PartnerPledge) -> Partner | None:
    """Staff mark a pledge from before online giving "now gives online": it is linked
    to the partner who gives online with its email address (the first made), found
    here rather than named by the browser. None when no partner has that address."""
    pledge = PartnerPledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.partner_id is not None:
        return pledge.partner
    partner = Partner.objects.filter(email__iexact=pledge.email).order_by("pk").first()
    if partner is not None:
        PartnerPledge.objects.filter(pk=pledge.pk).update(partner=partner,
                                                          updated_at=timezone.now())
    return partner
