"""Writes on pledges: storing one (once, even when the form is sent twice) and its mail."""
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

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
    and frequency within ten minutes. Mail goes out after the pledge is committed."""
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
    transaction.on_commit(lambda: send_pledge_emails(pledge))
    return pledge, True


def send_pledge_emails(pledge: PartnerPledge) -> None:
    """Thank the partner and tell the team. A mail failure is logged; the pledge stays."""
    ministry = settings.MINISTRY_NAME
    messages = [
        (
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Thank you for partnering with us",
            (
                f"Dear {pledge.first_name},\n\n"
                f"Thank you for pledging {pledge.in_words} to {ministry}.\n"
                f"Your reference is {pledge.reference}.\n\n"
                + (
                    "You can complete your gift on our secure giving page; the thanks page "
                    "has the link.\n\n"
                    if settings.PARTNER_CHECKOUT_URL
                    else "Someone from our team will be in touch to set up your gift. "
                    "We never ask for card details by email.\n\n"
                )
                + f"{settings.MINISTRY_TAX_NOTICE}\n\nWith gratitude,\nThe {ministry} team\n"
            ),
            [pledge.email],
        ),
    ]
    if settings.PARTNER_NOTIFY_EMAIL:
        messages.append(
            (
                f"New partner pledge {pledge.reference}: {pledge.in_words}",
                (
                    f"{pledge.first_name} {pledge.last_name} pledged {pledge.in_words}.\n"
                    f"Reference: {pledge.reference}\nState: {pledge.state or 'not given'}\n"
                    f"Wants emails: {'yes' if pledge.wants_emails else 'no'}\n\n"
                    f"Follow up in the staff pages: {settings.SITE_URL}/admin/partners/"
                    f"partnerpledge/{pledge.pk}/change/\n"
                ),
                [settings.PARTNER_NOTIFY_EMAIL],
            )
        )
    for subject, body, recipients in messages:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:
            logger.exception("Could not send pledge mail for %s", pledge.reference)
