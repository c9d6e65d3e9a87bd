"""Fixed-window rate limits kept in the shared cache, so they hold across workers."""
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The visitor's address. Behind our proxy (DJANGO_BEHIND_PROXY=1) it is the
    last address the proxy added to X-Forwarded-For; a client cannot forge that one."""
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


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
