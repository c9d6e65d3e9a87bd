import pytest

from library.models import RateLimitBucket
from library.web import ratelimit
from tests.concurrency import at_once, needs_postgres
from tests.redis_servers import caches_on, private_redis  # noqa: F401


@pytest.mark.parametrize("in_redis", [False, True], ids=["database", "redis"])
def test_allows_the_limit_then_refuses_until_the_next_window(
    db, monkeypatch, request, settings, in_redis
):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    redis = request.getfixturevalue("private_redis").url if in_redis else ""
    with caches_on(settings, counters=redis):
        assert [ratelimit.allow("t", 7, limit=3, period=60) for _ in range(5)] == [
            True, True, True, False, False]
        assert ratelimit.allow("t", 8, limit=3, period=60)  # another member has their own
        assert ratelimit.allow("other", 7, limit=3, period=60)  # and another scope
        clock[0] += 60
        assert ratelimit.allow("t", 7, limit=3, period=60)
        assert RateLimitBucket.objects.exists() is not in_redis


def test_the_schedule_sweeps_ended_windows_and_keeps_live_ones(db, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    ratelimit.allow("minute", 1, limit=3, period=60)  # this window ends at 1,000,020
    ratelimit.allow("hour", 1, limit=3, period=3600)  # this one at 1,000,800
    clock[0] += 60  # the minute ended 40 s ago: within the grace, so it stays
    ratelimit.allow("minute", 2, limit=3, period=60)
    assert ratelimit.sweep() == 0
    assert RateLimitBucket.objects.filter(expires=1_000_020).exists()
    clock[0] += 140  # both minutes are now over a minute past their end
    ratelimit.allow("minute", 3, limit=3, period=60)
    assert ratelimit.sweep() == 2
    assert sorted(RateLimitBucket.objects.values_list("expires", flat=True)) == [
        1_000_260, 1_000_800]
    # Counting never sweeps: a request does not pay for it.
    clock[0] += 10_000
    ratelimit.allow("minute", 4, limit=3, period=60)
    assert RateLimitBucket.objects.count() == 3


def test_reset_forgets_every_count(db):
    for _ in range(3):
        ratelimit.allow("t", 1, limit=2, period=60)
    assert RateLimitBucket.objects.exists()
    assert not ratelimit.allow("t", 1, limit=2, period=60)
    ratelimit.reset()
    assert ratelimit.allow("t", 1, limit=2, period=60)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_forty_workers_at_once_get_exactly_the_limit():
    answers = at_once([lambda: ratelimit.allow("race", 1, limit=5, period=3600)] * 40)
    assert len(answers) == 40
    assert answers.count(True) == 5
    assert RateLimitBucket.objects.get().count == 40
