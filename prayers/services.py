"""Recording "I Prayed": the only place marks are written and counters move."""
from django.conf import settings
from django.db import transaction
from django.db.models import F

from intercessors import pagecache
from intercessors.db import insert_once

from .models import Prayer, PrayerMark


@transaction.atomic
def mark_prayed(*, user, prayer: Prayer) -> bool:
    """Record that `user` prayed `prayer`. True if this was a new mark.

    The unique constraint decides under concurrency: a second insert for the
    same member waits for the first and fails, and the counter moves only
    when a row was really inserted.
    """
    if not insert_once(PrayerMark, user=user, prayer=prayer):
        return False
    Prayer.objects.filter(pk=prayer.pk).update(prayed_count=F("prayed_count") + 1)
    pagecache.retire_counts()
    return True


@transaction.atomic
def unmark_prayed(*, user, prayer: Prayer) -> bool:
    """Take back `user`'s mark on `prayer`. True if there was one. The delete decides
    under concurrency: the counter moves back only for a row really deleted."""
    deleted, _ = PrayerMark.objects.filter(user=user, prayer=prayer).delete()
    if not deleted:
        return False
    Prayer.objects.filter(pk=prayer.pk, prayed_count__gt=0).update(
        prayed_count=F("prayed_count") - 1
    )
    pagecache.retire_counts()
    return True


# A reader who clicks "I Prayed" before logging in is remembered in a signed
# cookie of their own browser, not in a session: clicks cost the site nothing.
PENDING_PRAYER_COOKIE = "pending_prayer"
PENDING_PRAYER_SECONDS = 60 * 60
_SALT = "prayers.pending"


def remember_pending_prayer(*, response, prayer: Prayer) -> None:
    """An anonymous reader clicked "I Prayed": keep the intent across log-in, for an hour."""
    response.set_signed_cookie(
        PENDING_PRAYER_COOKIE, str(prayer.pk), salt=_SALT, max_age=PENDING_PRAYER_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def record_pending_prayer(*, request, user) -> Prayer | None:
    """Record the prayer a reader clicked before logging in, if the click is recent.
    The cookie is spent: the response that follows deletes it (see the middleware)."""
    pk = request.get_signed_cookie(
        PENDING_PRAYER_COOKIE, default=None, salt=_SALT, max_age=PENDING_PRAYER_SECONDS
    )
    if PENDING_PRAYER_COOKIE in request.COOKIES:
        request.pending_prayer_spent = True
    if pk is None or not pk.isdigit():
        return None
    prayer = Prayer.objects.visible().select_related("article", "state").filter(pk=pk).first()
    if prayer is not None:
        mark_prayed(user=user, prayer=prayer)
    return prayer
