"""A count kept for every worker and made again at most once a minute, by one of them."""
from django.core.cache import cache

from library.recount import counted_once_a_minute


def counter():
    calls = []

    def count():
        calls.append(1)
        return len(calls)

    return count, calls


def test_a_count_is_kept_for_a_minute(db, time_machine):
    time_machine.move_to("2026-12-07 12:00:00", tick=False)
    count, calls = counter()
    assert counted_once_a_minute("test-count", count) == 1
    time_machine.shift(59)
    assert counted_once_a_minute("test-count", count) == 1 and len(calls) == 1
    time_machine.shift(2)
    assert counted_once_a_minute("test-count", count) == 2
    assert cache.get("test-count:counting") is None  # the flag is let go


def test_while_one_worker_counts_again_the_others_show_the_last_count(db, time_machine):
    time_machine.move_to("2026-12-07 12:00:00", tick=False)
    count, calls = counter()
    counted_once_a_minute("test-count", count)
    time_machine.shift(61)
    cache.add("test-count:counting", 1, 60)  # another worker is counting
    assert counted_once_a_minute("test-count", count) == 1 and len(calls) == 1


def test_a_count_kept_in_another_shape_is_made_again(db):
    cache.set("test-count", {"at": 0, "per_state": {}}, 600)  # as an older release kept it
    count, _ = counter()
    assert counted_once_a_minute("test-count", count) == 1
