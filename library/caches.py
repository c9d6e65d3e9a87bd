"""The site's caches, each kept where its loss does least harm.

`default` is a database table that nothing evicts from: allauth counts its
log-in, sign-up and password-reset limits there, and the page cache keeps its
version there, so no number of page renders can push a lockout out. Pages and
conversation threads live in the `pages` alias: a file every worker of a server
shares (`ServerStore`, bounded), so that a worker that restarts finds the renders
the others made, or a Redis of their own shared by every server (PAGE_CACHE_URL).
Rate-limit counters may live in Redis (REDIS_URL), falling back to their
database table.

Redis is an accelerator here, never a dependency: when one is down or hangs,
each worker gives it one short timeout, then leaves it alone for a pause, and
carries on as if the cache were empty.
"""
import logging
import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
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


SWEEP_WRITES = 1_000  # a process's writes to a store between two sweeps, at most
SWEEP_SECONDS = 60.0  # seconds between two sweeps, at most, while it writes
_sweeps: dict[str, list] = {}  # each store's path: [writes, last sweep] in this process


class ServerStore(BaseCache):
    """A cache in one SQLite file that every process of a server opens: gunicorn's
    workers share their renders, and one that restarts (recycled, deployed, crashed)
    finds them at once. Reads never write; a write replaces its key, and past
    MAX_ENTRIES or MAX_BYTES the oldest writes give way (`_trim`). `add` is atomic
    between processes, so it can hold a lock (library.pages.pagecache). Values are
    pickled, like every Django cache's: the folder is the site's own (mode 0700).

    LOCATION is a folder; each process opens its own connection per thread (WAL:
    readers never wait for a writer). Nothing in it needs to survive the machine:
    losing the file only means pages are rendered again."""


    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", 256 * 1024 * 1024))
        self.path = Path(location) / "pages.sqlite3"
        self._local = threading.local()
        # Whether `add` says it kept a value when the file cannot be used: a lock no
        # one else can hold either (pages), or a reader taken as seen (readers).
        self.added_when_unavailable = options.get("ADDED_WHEN_UNAVAILABLE", True)

    def _db(self) -> sqlite3.Connection:
        # One connection per thread, and none carried into a forked process.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._check_owned(self.path.parent)
            if self.path.exists():
                self._check_owned(self.path)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None,
                                 check_same_thread=False)
            self._prepare(db)
            local.db, local.pid = db, os.getpid()
        return local.db

    @staticmethod
    def _check_owned(path: Path) -> None:
        """What is read back is unpickled: a folder or file another user made, or may
        write (a name guessed in a shared temporary folder), is refused."""
        found = path.stat()
        if found.st_uid != os.getuid() or found.st_mode & 0o022:
            raise PermissionError(f"{path} must belong to this user and be writable by "
                                  "it alone")

    @staticmethod
    def _prepare(db: sqlite3.Connection) -> None:
        """The file's settings and table. Workers that start together all make them at
        once, and SQLite may refuse all but one at once ("locked") instead of
        queueing them: each tries again for up to five seconds."""
        deadline = time.monotonic() + 5
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")  # a lost write: a page rendered again
                db.execute("PRAGMA journal_size_limit=67108864")  # the log back to 64 MB
                db.execute("PRAGMA secure_delete=ON")  # what is deleted is overwritten
                db.execute("CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, value BLOB "
                           "NOT NULL, expires REAL NOT NULL, size INTEGER NOT NULL, written "
                           "REAL NOT NULL)")
                db.execute("CREATE INDEX IF NOT EXISTS kept_written ON kept (written)")
                db.execute("CREATE INDEX IF NOT EXISTS kept_expires ON kept (expires)")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _expiry(self, timeout) -> float:
        timeout = self.get_backend_timeout(timeout)
        return float("inf") if timeout is None else timeout

    def _safely(self, call, fallback):
        """`call()`, or `fallback` when the file cannot be used (a full disk, a folder
        that cannot be written, a damaged file): the store is an accelerator, and
        pages are then rendered as if it were empty. A damaged file is moved aside,
        and the next call starts a new one."""
        try:
            return call()
        except (sqlite3.Error, OSError) as error:
            now = time.monotonic()
            if now >= getattr(self, "_warned_until", 0.0):
                logger.warning("Page store %s unavailable: %s", self.path, error)
                self._warned_until = now + PAUSE
            if isinstance(error, sqlite3.DatabaseError) and (
                    "malformed" in str(error) or "not a database" in str(error)):
                self._move_aside()
            self._local.pid = None  # a new connection next time
            return fallback

    def _move_aside(self) -> None:
        """A damaged file is deleted (it may hold today's readers: nothing is kept)."""
        for suffix in ("", "-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._safely(lambda: self._db().execute(
            "SELECT value, expires FROM kept WHERE key = ?", (key,)).fetchone(), None)
        if row is None or row[1] <= time.time():
            return default
        try:
            return pickle.loads(row[0])  # noqa: S301 - written by this site only
        except Exception:  # noqa: BLE001 - a value torn by a crash: as if never kept
            self._safely(lambda: self._db().execute("DELETE FROM kept WHERE key = ?", (key,)),
                         None)
            return default

    def get_many(self, keys, version=None):
        found = {}
        for key in keys:
            value = self.get(key, self, version)
            if value is not self:
                found[key] = value
        return found

    def _write(self, sql, key, value, timeout) -> int:
        blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        return self._db().execute(sql, (key, blob, self._expiry(timeout), len(blob),
                                        time.time())).rowcount

    def _after_write(self, writes: int = 1) -> None:
        """Every SWEEP_WRITES writes of this process, or SWEEP_SECONDS after its last
        sweep: what has expired is deleted (so a day's readers are gone soon after
        the day), and the store brought back within its bounds."""
        seen = _sweeps.setdefault(str(self.path), [0, time.monotonic()])
        before, seen[0] = seen[0], seen[0] + writes
        if (before // SWEEP_WRITES == seen[0] // SWEEP_WRITES
                and time.monotonic() - seen[1] < SWEEP_SECONDS):
            return
        seen[1] = time.monotonic()
        self._safely(self._trim, None)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._safely(lambda: self._write("INSERT OR REPLACE INTO kept VALUES (?, ?, ?, ?, ?)",
                                         key, value, timeout), None)
        self._after_write()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Keep `value` unless a live value is kept under `key`: True if it was kept
        (and when the file cannot be used, ADDED_WHEN_UNAVAILABLE)."""
        key = self.make_and_validate_key(key, version=version)

        def add():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM kept WHERE key = ? AND expires <= ?",
                           (key, time.time()))
                return self._write("INSERT OR IGNORE INTO kept VALUES (?, ?, ?, ?, ?)",
                                   key, value, timeout) == 1
            finally:
                db.execute("COMMIT")

        added = self._safely(add, self.added_when_unavailable)
        self._after_write()
        return added

    def add_many(self, keys, value, timeout=DEFAULT_TIMEOUT, version=None) -> list[bool]:
        """`add` for each key, in one transaction: whether each was kept (when the
        file cannot be used, ADDED_WHEN_UNAVAILABLE for each)."""
        keys = [self.make_and_validate_key(key, version=version) for key in keys]

        def add_many():
            db, now = self._db(), time.time()
            db.execute("BEGIN IMMEDIATE")
            try:
                added = []
                for key in keys:
                    db.execute("DELETE FROM kept WHERE key = ? AND expires <= ?", (key, now))
                    added.append(self._write("INSERT OR IGNORE INTO kept VALUES "
                                             "(?, ?, ?, ?, ?)", key, value, timeout) == 1)
                return added
            finally:
                db.execute("COMMIT")

        added = self._safely(add_many, [self.added_when_unavailable] * len(keys))
        self._after_write(len(keys))
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._safely(lambda: self._db().execute(
            "UPDATE kept SET expires = ? WHERE key = ? AND expires > ?",
            (self._expiry(timeout), key, time.time())).rowcount == 1, False)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._safely(lambda: self._db().execute(
            "DELETE FROM kept WHERE key = ?", (key,)).rowcount == 1, False)

    def has_key(self, key, version=None):
        return self.get(key, self, version) is not self

    def clear(self):
        self._safely(lambda: self._db().execute("DELETE FROM kept"), None)

    def keys(self) -> list[str]:
        """The keys of every live value, as they were given (tests, operators)."""
        prefix = self.make_key("")
        rows = self._db().execute("SELECT key FROM kept WHERE expires > ?", (time.time(),))
        return [key.removeprefix(prefix) for (key,) in rows]

    def _trim(self) -> None:
        """Drop what has expired, then the oldest writes while the store holds more
        than MAX_ENTRIES values or MAX_BYTES bytes."""
        db = self._db()
        db.execute("DELETE FROM kept WHERE expires <= ?", (time.time(),))
        count, size = db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM kept").fetchone()
        if count > self._max_entries or size > self.max_bytes:
            self._drop_oldest(db)
        # What was deleted leaves the log too, not only the file.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _drop_oldest(self, db) -> None:
        # Keep the newest writes up to three quarters of either bound.
        keep_count, keep_bytes = self._max_entries * 3 // 4, self.max_bytes * 3 // 4
        kept = total = 0
        cutoff = None
        for written, entry_size in db.execute("SELECT written, size FROM kept "
                                              "ORDER BY written DESC"):
            kept, total = kept + 1, total + entry_size
            if kept > keep_count or total > keep_bytes:
                cutoff = written
                break
        if cutoff is not None:
            db.execute("DELETE FROM kept WHERE written <= ?", (cutoff,))

    def close(self, **kwargs):
        pass  # each thread's connection stays open for its next request


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
