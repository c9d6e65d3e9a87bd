"""The site's caches, each kept where its loss does least harm.

`default` is a database table that nothing evicts from: allauth counts its
log-in, sign-up and password-reset limits there, and the page cache keeps its
version there, so no number of page renders can push a lockout out. Pages and
conversation threads live in the `pages` alias: each worker's own memory,
bounded, or a Redis of their own (PAGE_CACHE_URL). Rate-limit counters may live
in Redis (REDIS_URL), falling back to their database table.

Redis is an accelerator here, never a dependency: when one is down or hangs,
each worker gives it one short timeout, then leaves it alone for a pause, and
carries on as if the cache were empty.
"""
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.2  # seconds to reach Redis before giving up on this request
SLOW = 0.5  # seconds: a call that took longer counts as a failure
PAUSE = 5.0  # seconds a worker leaves an unreachable Redis alone


class DurableDatabaseCache(DatabaseCache):
    """A database cache that only ever deletes expired entries, however full it is.

    Django's database cache culls a third of its entries, alphabetically, once it
    holds MAX_ENTRIES; here MAX_ENTRIES only says when to sweep the expired ones."""

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(self._table)} "
            f"WHERE {connection.ops.quote_name('expires')} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )


class _Breaker:
    """Whether a Redis server is worth asking, shared by every cache alias using it."""

    def __init__(self):
        self.down_until = 0.0

    def closed(self) -> bool:
        return time.monotonic() >= self.down_until

    def trip(self, error) -> None:
        if self.closed():
            logger.warning("Redis unavailable for %.0f s: %s", PAUSE, error)
        self.down_until = time.monotonic() + PAUSE


_breakers: dict[str, _Breaker] = {}


def reset_breakers() -> None:
    """Ask every Redis again at once (tests; a worker would wait out the pause)."""
    _breakers.clear()


def _guard(name, fallback):
    """RedisCache's `name`, answering `fallback` while Redis is unreachable."""
    method = getattr(RedisCache, name)

    def guarded(self, *args, **kwargs):
        return self.guarded(lambda: method(self, *args, **kwargs), fallback)

    guarded.__name__ = name
    return guarded


def _answer(fallback):
    # incr and decr answer an unreachable key as a missing one: ValueError.
    if isinstance(fallback, type) and issubclass(fallback, Exception):
        raise fallback("Redis is unavailable.")
    return fallback


class ResilientRedisCache(RedisCache):
    """Redis that, while unreachable, acts as an empty cache that keeps nothing."""

    def __init__(self, server, params):
        options = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": CONNECT_TIMEOUT}
        super().__init__(server, {**params, "OPTIONS": {**options, **params.get("OPTIONS", {})}})
        self._server_name = str(server)

    def available(self) -> bool:
        return _breakers.setdefault(self._server_name, _Breaker()).closed()

    def guarded(self, call, fallback):
        """`call()`, or `fallback` without waiting while this Redis is unreachable."""
        breaker = _breakers.setdefault(self._server_name, _Breaker())
        if not breaker.closed():
            return _answer(fallback)
        started = time.monotonic()
        try:
            result = call()
        except ValueError:
            raise  # incr and decr on a missing key: an answer, not a failure
        except Exception as error:  # noqa: BLE001 - any failure of a cache means "no cache"
            breaker.trip(error)
            return _answer(fallback)
        if time.monotonic() - started > SLOW:
            # Answering, but slowly (a wedged server, a bad link): stop asking for
            # a while rather than make every request wait as long.
            breaker.trip(f"a call took {time.monotonic() - started:.1f} s")
        return result

    def get(self, key, default=None, version=None):
        return self.guarded(lambda: RedisCache.get(self, key, default, version), default)

    get_many = _guard("get_many", {})
    set = _guard("set", None)
    set_many = _guard("set_many", [])
    add = _guard("add", False)
    touch = _guard("touch", False)
    has_key = _guard("has_key", False)
    delete = _guard("delete", False)
    delete_many = _guard("delete_many", None)
    clear = _guard("clear", False)
    incr = _guard("incr", ValueError)
    decr = _guard("decr", ValueError)

    def ping(self) -> bool:
        client = self._cache.get_client(write=True)
        return self.guarded(lambda: bool(client.ping()), False)

    def count(self, key: str, period: int) -> int | None:
        """Add one to the counter `key`, which lives `period` seconds from its first
        count; its new value, or None while Redis is unreachable. One atomic round trip."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)

        def increment():
            pipe = client.pipeline(transaction=True)
            pipe.set(key, 0, ex=period + 1, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]

        return self.guarded(increment, None)


def page_store():
    """Where rendered pages and threads are kept: nowhere while the page cache is off."""
    return caches["pages"] if settings.PAGE_CACHE else NOWHERE


NOWHERE = DummyCache("nowhere", {})


def counter_store() -> ResilientRedisCache | None:
    """The Redis that rate limits count in, if one is configured."""
    return caches["counters"] if "counters" in settings.CACHES else None


def status() -> str:
    """"ok", or "unavailable" when a configured Redis does not answer."""
    for alias in ("pages", "counters"):
        if alias not in settings.CACHES:
            continue
        cache = caches[alias]
        if isinstance(cache, ResilientRedisCache) and not (cache.available() and cache.ping()):
            return "unavailable"
    return "ok"
