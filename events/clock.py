"""The time the reminder job works by. In tests (EVENTS_TEST_CLOCK) it is read from
the shared database cache, so a test can move the time a worker process sees; the
site itself always uses the real clock."""
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

KEY = "events:test-clock"


def now() -> datetime:
    if settings.EVENTS_TEST_CLOCK:
        moment = caches["default"].get(KEY)
        if moment:
            return datetime.fromisoformat(moment)
    return timezone.now()


def set_now(moment: datetime) -> None:
    """For tests: every process with EVENTS_TEST_CLOCK reads this time from now on."""
    caches["default"].set(KEY, moment.isoformat(), None)
