"""Fixed-window rate limits kept in the shared cache, so they hold across workers."""
import time

from django.core.cache import cache


def allow(scope: str, ident, *, limit: int, period: int) -> bool:
    """Count one action for `ident` in `scope`; False once `limit` per `period` seconds is spent."""
    window = int(time.time() // period)
    key = f"rl:{scope}:{ident}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return True
    return count <= limit
