"""Writes on pledges: storing one (once, even when the form is sent twice) and its mail."""
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from library.mail import outbox

from .models import PartnerPledge

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


@transaction.atomic
def create_pledge(*, member=None, earlier_ids=(), **fields) -> tuple[PartnerPledge, bool]:
    """Store a pledge, or return the one just made if this is a double submit: one of
    `earlier_ids` (pledges made from the same browser) with the same email, amount
    and frequency within ten minutes. Its mail is recorded with it (see `pledge_mail`)."""
    recent = (
        PartnerPledge.objects.select_for_update()
        .filter(
            pk__in=list(earlier_ids),
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
                    reference=new_reference(),
                    member=member if member is not None and member.is_authenticated else None,
                    **fields,
                )
            break
        except IntegrityError:  # the rare reference collision: draw again
            continue
    else:
        raise RuntimeError("Could not find a free pledge reference.")
    pledge_mail(pledge)
    return pledge, True


def pledge_mail(pledge: PartnerPledge) -> None:
    """Thank the partner and tell the team, in the pledge's own transaction."""
    context = {"pledge": pledge, "checkout_url": settings.PARTNER_CHECKOUT_URL,
               "tax_notice": settings.MINISTRY_TAX_NOTICE}
    outbox.send("partners/email/thanks", context, to=pledge.email, member=pledge.member)
    if settings.PARTNER_NOTIFY_EMAIL:
        outbox.send("partners/email/staff_alert", context, to=settings.PARTNER_NOTIFY_EMAIL)
