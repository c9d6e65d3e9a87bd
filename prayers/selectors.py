"""Reads about prayers that pages share."""
from .models import PrayerMark


def prayed_ids(*, user, prayer_ids) -> set[int]:
    """Which of these prayers the member has prayed: one query for a whole page."""
    ids = [pk for pk in prayer_ids if pk is not None]
    if not ids or not user.is_authenticated:
        return set()
    return set(
        PrayerMark.objects.filter(user=user, prayer_id__in=ids).values_list("prayer_id", flat=True)
    )
