"""Subscribing to prayer updates, confirming, changing choices, leaving, and
praying from the inbox. Every change to a subscriber is made here."""
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from library.mail import outbox
from library.web import ratelimit
from library.web.links import BadLink, read_link
from prayers.models import Prayer
from prayers.services import mark_prayed

from .models import LEAVE_SALT, Subscriber

CONFIRM_SALT = "updates.confirm"
CONFIRM_DAYS = 7
PRAY_SALT = "updates.pray"
PRAY_DAYS = 30
CONFIRMATIONS_PER_DAY = 3




def _address_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def subscribe(*, email: str, daily=False, weekly=False, answered=False, state=None,
              urgent=False) -> None:
    """Someone asks for updates at `email`. Whatever the address's state, the
    answer is the same ("check your inbox"), so no one learns who subscribes; the
    address gets one mail (at most CONFIRMATIONS_PER_DAY a day): a link to confirm
    these choices, or, if it already gets updates or belongs to a member, where to
    change them. Call outside a transaction (the limit counts outside it)."""
    email = email.strip()
    if not ratelimit.allow("updates-confirm", _address_key(email), limit=CONFIRMATIONS_PER_DAY,
                           period=24 * 3600):
        return
    member = get_user_model().objects.filter(email__iexact=email, deleted_at__isnull=True,
                                             is_active=True).first()
    with transaction.atomic():
        if member is not None:  # a member chooses on their profile: one subscription each
            outbox.send("updates/email/member", {
                "profile_url": settings.SITE_URL + reverse("accounts:profile") + "#updates",
            }, to=email)
            return
        subscriber = _address_row(email)
        if subscriber.is_active:
            outbox.send("updates/email/already", {"leave_url": subscriber.leave_url}, to=email)
            return
        # Unconfirmed, or once left: the new choices wait for the new confirmation.
        subscriber.daily, subscriber.weekly, subscriber.answered = daily, weekly, answered
        subscriber.state, subscriber.urgent = state, urgent
        subscriber.confirmed_at = subscriber.left_at = None
        subscriber.save()
        outbox.send("updates/email/confirm", {
            "confirm_url": settings.SITE_URL + reverse("updates:confirm",
                                                       args=[confirm_token(subscriber)]),
            "choices": describe(subscriber), "days": CONFIRM_DAYS,
        }, to=email)


def _address_row(email: str) -> Subscriber:
    """The address's own subscription row, made if it has none; two requests making
    it at once share one."""
    found = Subscriber.objects.select_for_update().filter(email__iexact=email,
                                                          member__isnull=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email)
    except IntegrityError:
        return Subscriber.objects.select_for_update().get(email__iexact=email,
                                                          member__isnull=True)


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=CONFIRM_SALT, compress=True)


def subscriber_for_confirm(token: str) -> Subscriber:
    pk = read_link(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 24 * 3600,
                   expired="This confirmation link has expired. Please subscribe again; "
                   "we will send a new one.",
                   broken="This confirmation link is not complete. Please copy the whole "
                   "link from the email, or subscribe again.")
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None:
        raise BadLink("This subscription no longer exists. Please subscribe again.")
    return subscriber


def confirm(subscriber: Subscriber) -> bool:
    """True if this confirmed it; confirming again changes nothing."""
    return bool(Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), left_at=None))


def subscriber_for_leave(token: str) -> Subscriber:
    pk = read_link(token, salt=LEAVE_SALT,  # never expires
                   broken="This link is not complete. Please copy the whole link from the "
                   "email.")
    subscriber = Subscriber.objects.select_related("member", "state").filter(pk=pk).first()
    if subscriber is None:
        raise BadLink("This subscription no longer exists; you get no prayer updates.")
    return subscriber


@transaction.atomic
def leave(subscriber: Subscriber) -> None:
    """No more updates of any kind, at once: a member's news of answered prayers too."""
    Subscriber.objects.filter(pk=subscriber.pk, left_at__isnull=True).update(
        left_at=timezone.now())
    subscriber.left_at = subscriber.left_at or timezone.now()
    if subscriber.member_id:
        get_user_model().objects.filter(pk=subscriber.member_id).update(notify_answered=False)


@transaction.atomic
def remove(subscriber: Subscriber) -> None:
    """Forget an address (on request), with its marks: each comes off its prayer's
    counter, so the totals stay true."""
    for prayer_id in subscriber.prayer_marks.values_list("prayer_id", flat=True):
        Prayer.objects.filter(pk=prayer_id, prayed_count__gt=0).update(
            prayed_count=F("prayed_count") - 1)
    subscriber.delete()


@transaction.atomic
def set_choices(subscriber: Subscriber, *, daily=False, weekly=False, answered=False,
                state=None, urgent=False) -> None:
    """Change what an address gets; choosing nothing is leaving. A member's
    "answered prayers" choice is their profile's one setting for that mail."""
    subscriber.daily, subscriber.weekly, subscriber.state = daily, weekly, state
    subscriber.answered, subscriber.urgent = answered, urgent
    if subscriber.member_id:
        # A member's address is theirs already; choosing nothing is getting nothing.
        subscriber.left_at = None
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.member.notify_answered = answered
        subscriber.member.save(update_fields=["notify_answered"])
    else:
        subscriber.left_at = (None if (daily or weekly or answered or state or urgent)
                              else timezone.now())
    subscriber.save()


def for_member(member) -> Subscriber:
    """A member's subscription (unsaved if they have none): their address is
    confirmed already, and the mail follows it when it changes."""
    subscriber = Subscriber.objects.filter(member=member).first()
    if subscriber is None:
        subscriber = Subscriber(member=member, email=member.email,
                                answered=member.notify_answered)
    subscriber.member = member
    return subscriber


@transaction.atomic
def set_member_choices(member, **choices) -> Subscriber:
    """A member's own choices. A subscription by the same address, from before they
    joined, ends: one subscription, one copy of each mail."""
    get_user_model().objects.select_related(None).select_for_update().filter(pk=member.pk).first()
    subscriber = for_member(member)
    subscriber.email = member.email
    set_choices(subscriber, **choices)
    Subscriber.objects.filter(email__iexact=member.email, member__isnull=True,
                              left_at__isnull=True).update(left_at=timezone.now())
    return subscriber


def describe(subscriber: Subscriber) -> str:
    parts = []
    if subscriber.daily:
        parts.append("the daily email")
    if subscriber.weekly:
        parts.append("the weekly digest")
    if subscriber.state_id:
        parts.append(f"alerts for {subscriber.state.name}")
    if subscriber.urgent:
        parts.append("urgent prayer requests")
    if subscriber.answered:
        parts.append("news when a prayer you prayed for is answered")
    return ", ".join(parts) or "nothing"


# "I Prayed" from the inbox: a link for one subscriber and one prayer.

def pray_token(subscriber: Subscriber, prayer: Prayer) -> str:
    return signing.dumps([subscriber.pk, prayer.pk], salt=PRAY_SALT, compress=True)


def pray_url(subscriber: Subscriber, prayer: Prayer) -> str:
    return settings.SITE_URL + reverse("updates:pray", args=[pray_token(subscriber, prayer)])


def read_pray_token(token: str) -> tuple[Subscriber, Prayer]:
    broken = ("This link is not complete. Please press the button in the email again, or "
              "copy the whole link.")
    signed = read_link(token, salt=PRAY_SALT, max_age=PRAY_DAYS * 24 * 3600, broken=broken,
                       expired=f"This button is more than {PRAY_DAYS} days old. You can still "
                       "pray and press “I Prayed” on the site.")
    try:
        subscriber_pk, prayer_pk = signed
    except (ValueError, TypeError):
        raise BadLink(broken) from None
    subscriber = Subscriber.objects.select_related("member").filter(pk=subscriber_pk).first()
    prayer = (Prayer.objects.visible().select_related("article", "state")
              .filter(pk=prayer_pk).first())
    if subscriber is None or prayer is None:
        raise BadLink("This prayer is no longer on the site.")
    return subscriber, prayer


def pray_from_mail(*, subscriber: Subscriber, prayer: Prayer, user=None) -> bool:
    """The reader pressed "Record my prayer": a member's press is their own mark (the
    member logged in, else the member the subscription belongs to); anyone else's
    is the subscriber's. Counted once toward the one total either way."""
    member = user if user is not None and user.is_authenticated else subscriber.member
    if member is None:  # an address that has since become a member's
        member = get_user_model().objects.filter(email__iexact=subscriber.email,
                                                 deleted_at__isnull=True).first()
    if member is not None:
        return mark_prayed(user=member, prayer=prayer)
    return mark_prayed(subscriber=subscriber, prayer=prayer)
