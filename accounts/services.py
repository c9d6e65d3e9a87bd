"""What a member does with their account as a whole: download it, delete it."""
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from events.models import Reminder
from leaders.models import LeaderPrayer
from library.mail import outbox
from library.models import OutboxMessage
from library.pages import pagecache
from library.web import ratelimit
from partners.models import Gift, PartnerPledge
from prayers.models import Prayer, PrayerMark, PrayerNote
from updates.models import Subscriber
from updates.services import remove as remove_subscriber

from .models import User

PROFILE_CHANGES_PER_HOUR = 20


class TooManyChanges(Exception):
    message = (f"You have changed your profile {PROFILE_CHANGES_PER_HOUR} times in the last "
               "hour, the most we allow. What you typed is still here; please save it later.")


def save_profile(*, form) -> None:
    """Save a member's profile form. Names and home states show on pages every reader
    shares, so a change retires them (once a second at most), and changes are rate
    limited: a member cannot keep every page on the site from being cached."""
    if not ratelimit.allow("profile", form.instance.pk, limit=PROFILE_CHANGES_PER_HOUR,
                           period=3600):
        raise TooManyChanges
    with transaction.atomic():
        form.save()
        if {"display_name", "home_state"} & set(form.changed_data):
            pagecache.retire()


def export_member_data(*, user: User) -> dict:
    """Everything the site keeps about a member, for them to download."""
    comments = Comment.objects.filter(author=user).select_related("content_type")
    return {
        "profile": {
            "display_name": user.display_name,
            "email": user.email,
            "home_state": user.home_state.name if user.home_state else None,
            "email_me_replies": user.notify_replies,
            "email_me_answered_prayers": user.notify_answered,
            "joined": user.date_joined.isoformat(),
        },
        "comments": [
            {"id": c.pk, "on": f"{c.content_type.app_label}.{c.content_type.model}:{c.object_id}",
             "body": c.body, "status": "deleted" if c.is_deleted else c.status,
             "written": c.created_at.isoformat(),
             "edited": c.edited_at.isoformat() if c.edited_at else None}
            for c in comments
        ],
        "prayer_requests": [
            {"id": p.pk, "text": p.text, "for": p.state.name if p.state else "the nation",
             "anonymous": p.anonymous, "about": p.get_category_display() if p.category else None,
             "status": "deleted" if p.is_deleted else p.status,
             "prayed_for_by": p.prayed_count, "asked": p.created_at.isoformat(),
             "edited": p.edited_at.isoformat() if p.edited_at else None,
             "answered": p.answered_at.isoformat() if p.answered_at else None,
             "daily_email": p.daily_mail, "notes_shown_to_everyone": p.notes_public,
             "urgent_asked": p.urgent_asked_at.isoformat() if p.urgent_asked_at else None,
             "marked_urgent": p.urgent_at.isoformat() if p.urgent_at else None,
             "updates": [{"text": u.text, "answered": u.answered,
                          "written": u.created_at.isoformat()} for u in p.updates.all()]}
            for p in Prayer.objects.requests().filter(author=user).select_related("state")
            .prefetch_related("updates")
        ],
        "prayers_marked": [
            {"prayer": m.prayer_id, "text": m.prayer.plain_text, "when": m.created_at.isoformat()}
            for m in PrayerMark.objects.filter(user=user).select_related("prayer")
        ],
        "notes_left_with_prayers": [
            {"id": n.pk, "on_request": n.prayer_id, "text": n.text,
             "status": "deleted" if n.is_deleted else n.status,
             "written": n.created_at.isoformat()}
            for n in PrayerNote.objects.filter(author=user)
        ],
        "prayers_for_leaders": [
            {"id": p.pk, "for": p.leader.name, "text": p.text,
             "status": "deleted" if p.is_deleted else p.status,
             "written": p.created_at.isoformat()}
            for p in LeaderPrayer.objects.filter(author=user).select_related("leader")
        ],
        "prayer_updates": [
            {"daily": s.daily, "weekly": s.weekly, "state": s.state.name if s.state else None,
             "urgent_requests": s.urgent,
             "subscribed": s.confirmed_at.isoformat() if s.confirmed_at else None,
             "left": s.left_at.isoformat() if s.left_at else None}
            for s in Subscriber.objects.filter(member=user).select_related("state")
        ],
        "partner_pledges": [
            {"reference": p.reference, "amount": str(p.amount), "frequency": p.frequency,
             "status": p.status, "made": p.created_at.isoformat()}
            for p in PartnerPledge.objects.filter(member=user)
        ],
        "gifts": [
            {"amount": f"{g.amount_cents / 100:.2f}", "currency": g.currency, "kind": g.kind,
             "given": g.given_at.isoformat(), "status": g.status,
             "refunded": f"{g.refunded_cents / 100:.2f}"}
            for g in Gift.objects.filter(partner__member=user)
        ],
    }


@transaction.atomic
def delete_account(*, user: User, forget_pledges: bool = False) -> None:
    """Wipe everything personal but keep the row, so what the member wrote
    stays in place under "Deleted member" and prayer counts stay true; their prayer
    requests, which were personal, leave the wall.
    Pledges stay for the ministry's records; with `forget_pledges` the name,
    email and phone on them are removed too."""
    if forget_pledges:
        PartnerPledge.objects.filter(member=user).update(
            first_name="", last_name="", email="", phone=""
        )
    # Mail still waiting for the account is dropped; a last notice goes to it.
    address = user.email
    outbox.forget_member(user, [address, *EmailAddress.objects.filter(user=user)
                                .values_list("email", flat=True)])
    if address:
        outbox.send("accounts/email/deleted", {}, to=address, keeps=OutboxMessage.Keeps.STATUS)
    EmailAddress.objects.filter(user=user).delete()
    # What they asked prayer for was personal: it leaves the wall with them.
    Prayer.objects.requests().filter(author=user).update(is_deleted=True)
    # Nor reminders of calls and gatherings.
    Reminder.objects.filter(member=user).delete()
    # No more prayer updates: their subscription goes with their address.
    for subscriber in Subscriber.objects.filter(member=user):
        remove_subscriber(subscriber)
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.home_state = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.deleted_at = timezone.now()
    user.save()
    pagecache.retire()
