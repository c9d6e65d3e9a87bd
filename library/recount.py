"""Counts that take a while to make and may be a minute old (the week's prayers on
the map, the posts most prayed and read this week): kept in the default cache for
every worker, and counted again by one worker at a time."""
import time
from collections import namedtuple
from collections.abc import Callable

from django.core.cache import cache

# A count and when it was made (time.time()).
Counted = namedtuple("Counted", "at value")


def counted_once_a_minute(key: str, count: Callable, *, seconds: int = 60):
    """What `count()` returns, as a worker counted it at most `seconds` ago. Once it
    is older, the one worker that takes the key's ":counting" flag counts again while
    the others go on showing the last count; with no count kept yet, each counts."""
    found = cache.get(key)
    if not isinstance(found, Counted):  # none yet, or kept in an older shape
        found = None
    elif found.at >= time.time() - seconds:
        return found.value
    counting = found is not None and cache.add(key + ":counting", 1, seconds)
    if found is None or counting:
        try:
            found = Counted(time.time(), count())
            cache.set(key, found, seconds * 10)
        finally:
            if counting:
                cache.delete(key + ":counting")
    return found.value
