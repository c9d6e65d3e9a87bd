"""Recording "I Prayed": the only place marks are written and counters move."""
import time

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
    pagecache.bump_after_commit(throttle=True)
    return True


PENDING_PRAYER_KEY = "pending_prayer"
PENDING_PRAYER_SECONDS = 60 * 60


def remember_pending_prayer(*, session, prayer: Prayer) -> None:
    """An anonymous reader clicked "I Prayed": keep the intent across log-in, for an hour."""
    session[PENDING_PRAYER_KEY] = {"id": prayer.pk, "at": time.time()}


def record_pending_prayer(*, session, user) -> Prayer | None:
    """Record the prayer a reader clicked before logging in, if the click is recent."""
    pending = session.pop(PENDING_PRAYER_KEY, None)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_PRAYER_SECONDS:
        return None
    pk = pending.get("id")
    prayer = Prayer.objects.visible().select_related("article", "state").filter(pk=pk).first()
    if prayer is not None:
        mark_prayed(user=user, prayer=prayer)
    return prayer
