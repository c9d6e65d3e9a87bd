"""How many people have read each post: every reader counted once a day, and only the
count kept (ReadDay), never who read what.

A tiny image on the post page counts a view (`count_read`): the page itself is shared
by every reader and may be kept by nginx, so its own request cannot. A view costs no
database write, nor any call: it notes its reader in the worker's memory, and once a
second the worker counts all it noted together (`send_pending`). With REDIS_URL the
counts gather in one Redis hash, and a job
(`flush`) adds them to ReadDay every minute; without it, or while it is down, each
web worker gathers them in its own memory and a thread of its own writes them every
minute, and when it stops (atexit, and gunicorn's `worker_exit`).

Once a day per reader: a keyed hash of (reader, post), made with a random salt of the
day, is kept in a cache until the day ends, and the salt with it. The reader is the
member's id, or a visitor's address and browser; none of it is written anywhere."""
import atexit
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import ResponseError

from library.caches import counter_store
from library.web.ratelimit import client_ip, client_network

from .models import Article, ReadDay

logger = logging.getLogger(__name__)

WRITE_EVERY = 60  # seconds a worker keeps counts in memory before writing them
# Past this many (post, day) pairs waiting in a worker, new ones are not kept: only
# made-up post ids (checked when written, not when counted) could come to so many.
MOST_BUFFERED = 5_000
# A flusher that took counts out of Redis and died without writing them leaves them
# under its own key; after this many seconds another flusher takes them over.
ABANDONED_AFTER = 600
# Visitors of one network (an IPv4 address, an IPv6 /56) counted for one post in a
# day by one worker; a household or an office has fewer browsers than this.
VISITORS_PER_NETWORK = 20
MOST_NETWORKS = 100_000  # (network, post) pairs a worker remembers in a day
LARGEST_ID = 2**63 - 1  # a larger number is no post's id, and no database's integer

# Crawlers, link previews, command-line and library clients, uptime monitors and
# load balancers' health checks: none of them is a person reading.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|preview|facebookexternalhit|embedly|iframely"
    r"|whatsapp|telegram|skype|discord|slack|vkshare|pinterest|mediapartners"
    r"|inspectiontool|lighthouse|headless|phantomjs|curl|wget|python|httpx|aiohttp"
    r"|go-http-client|java/|okhttp|libwww|ruby|node-fetch|undici|axios|http_request|feed|rss"
    r"|health|googlehc|kube-probe|probe|monitor|uptime|pingdom|check_http|nagios|zabbix"
    r"|statuscake|site24x7|datadog",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """Whether a request with this User-Agent is a program, not a person reading: a
    request with none is taken for one too."""
    return not user_agent.strip() or bool(BOTS.search(user_agent))


def count_read(request, article_id: int) -> bool:
    """Note this request's reader as having read the post today, unless this worker
    noted them today already, or they are a program, or the image was shown on
    another site: `pending` counts them where readers are counted within a second,
    once a day whichever worker saw them. True when noted."""
    user_agent = request.headers.get("User-Agent", "")
    if (is_bot(user_agent) or request.headers.get("Sec-Fetch-Site") == "cross-site"
            or not is_published(article_id)):
        return False
    user = request.user
    day = timezone.localdate()
    network = None if user.is_authenticated else networks.key(_home(request), article_id, day)
    if network is not None and networks.full(network):
        return False
    reader = f"member:{user.pk}" if user.is_authenticated else (
        f"visitor:{client_ip(request)}:{user_agent}")
    if not pending.note(reader, article_id, day):
        return False
    if network is not None:
        networks.add(network)
    return True


def is_published(article_id: int) -> bool:
    """Whether the post is published: from the ids of every published post, read once
    a minute by each worker, or for a post published since, one look by its id. A
    made-up id counts no one and takes no room in any store; the ids found not to be
    posts are remembered until the next reading, so each costs one look."""
    known, now = _published, time.monotonic()
    if known["at"] is None or now - known["at"] >= PUBLISHED_EVERY:
        known.update(ids=set(Article.objects.published().values_list("pk", flat=True)),
                     missing=set(), at=now)
    if article_id in known["ids"]:
        return True
    if article_id in known["missing"] or not 0 < article_id <= LARGEST_ID:
        return False
    if Article.objects.published().filter(pk=article_id).exists():
        known["ids"].add(article_id)
        return True
    if len(known["missing"]) < MOST_BUFFERED:
        known["missing"].add(article_id)
    return False


def _home(request) -> str:
    """The network one household reads from: an IPv4 address, or the /56 of an IPv6
    one (a home is given 256 networks of /64 to pick from)."""
    network = client_network(request)
    if ":" not in network:
        return network
    return str(ipaddress.ip_network(network, strict=False).supernet(new_prefix=HOME_PREFIX))


HOME_PREFIX = 56
PUBLISHED_EVERY = 60  # seconds
_published = {"at": None, "ids": set(), "missing": set()}


class Networks:
    """Visitors counted today per (network, post) in this worker: past
    VISITORS_PER_NETWORK, a network's new browsers are not counted, so that a script
    changing its User-Agent cannot lift a post up "Most read". Kept in memory as
    hashes of the day, and forgotten when the day changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.day = None
        self.counts: Counter = Counter()
        self.salt = secrets.token_bytes(16)

    def key(self, network: str, article_id: int, day: date) -> str:
        with self.lock:
            if day != self.day:
                self.day, self.counts, self.salt = day, Counter(), secrets.token_bytes(16)
        return hmac.new(self.salt, f"{network}|{article_id}".encode(),
                        hashlib.sha256).hexdigest()[:32]

    def full(self, key: str) -> bool:
        """Whether this network has counted its share, or the worker has remembered
        as many networks as it will in a day (then only those it knows count on)."""
        if key not in self.counts and len(self.counts) >= MOST_NETWORKS:
            return True
        return self.counts[key] >= VISITORS_PER_NETWORK

    def add(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1


networks = Networks()


def _seconds_left(day: date) -> int:
    """Seconds until the day ends: what the day's salt and hashes live for."""
    ends = timezone.make_aware(datetime.combine(day + timedelta(days=1), clock.min))
    return max(1, min(86_400, int((ends - timezone.now()).total_seconds()) + 1))


class Salts(dict):
    """The day's salt as this process first read it from where readers are counted,
    so that a view costs one call there, not two: every process reads the one salt
    that the first of them set, and holds today's alone."""

    def __setitem__(self, key, salt):
        if len(self) >= 4:  # yesterday's and today's, in Redis and in the store
            self.clear()
        super().__setitem__(key, salt)


_salts = Salts()
forget_salts = _salts.clear


def _seen_key(salt, reader: str, article_id: int, day: date) -> str:
    if isinstance(salt, str):
        salt = salt.encode()
    digest = hmac.new(salt, f"{reader}|{article_id}".encode(), hashlib.sha256).hexdigest()
    return f"reads:seen:{day.isoformat()}:{digest[:32]}"


# Redis: one hash of counts, "<day>:<post id>" -> readers, and a key per reader seen.

COUNTS = "reads:counts"
TAKEN = "reads:taken:"
# Readers of one day, each counted only if their key of the day was not set yet (which
# sets it for the rest of the day): KEYS the counts and then each reader's key, ARGV
# the seconds the day has left and then each reader's "<day>:<post id>". How many
# were counted. One call for a whole batch, not one for each reader.
_COUNT_NEW = """
local counted = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
    counted = counted + 1
  end
end
return counted
"""
PER_CALL = 500  # readers in one call, so that Redis is never held long by one


def _count_in_redis(noted) -> int | None:
    """Count the noted readers (reader, post id, day) not seen today in Redis, in one
    round trip: how many were counted, or None without a Redis to count in."""
    store = counter_store()
    if store is None or not store.available():
        return None
    counts = store.make_and_validate_key(COUNTS)
    client = store._cache.get_client(counts, write=True)
    count_new = client.register_script(_COUNT_NEW)  # by its digest, once loaded

    def salt_of(day):
        salt_key = store.make_and_validate_key(f"reads:salt:{day.isoformat()}")
        salt = _salts.get(("redis", salt_key))
        if salt is None:
            client.set(salt_key, secrets.token_hex(16), nx=True, ex=_seconds_left(day))
            salt = _salts[("redis", salt_key)] = client.get(salt_key)
        return salt

    def count():
        pipe = client.pipeline(transaction=False)
        for day in {day for _, _, day in noted}:
            salt, field = salt_of(day), day.isoformat()
            todays = [(store.make_and_validate_key(_seen_key(salt, reader, article_id, day)),
                       f"{field}:{article_id}")
                      for reader, article_id, when in noted if when == day]
            for at in range(0, len(todays), PER_CALL):
                chunk = todays[at:at + PER_CALL]
                count_new(keys=[counts, *(seen for seen, _ in chunk)], client=pipe,
                          args=[_seconds_left(day), *(pair for _, pair in chunk)])
        return sum(pipe.execute())

    return store.guarded(count, None)


# Readers noted by this worker's views, counted together once a second.

SEND_EVERY = 1.0  # seconds a noted reader waits, at most, before being counted
MOST_NOTED = 50_000  # readers waiting at once; past it (a store that cannot keep up) not noted
MOST_KNOWN = 100_000  # (reader, post) pairs a worker remembers having noted in a day


class Pending:
    """Readers this worker's views noted, waiting for its sender (`send_pending`) to
    count them where readers are counted, each once a day: a burst of new readers is
    a call a second, not a call a view. The worker also remembers, as hashes of the
    day kept in its memory, whom it noted today, so a reader reading again costs
    nothing at all."""

    def __init__(self):
        self.lock = threading.Lock()
        self.noted: list = []
        self.day, self.known, self.salt = None, set(), secrets.token_bytes(16)
        self.sender_pid = None

    def note(self, reader: str, article_id: int, day: date) -> bool:
        with self.lock:
            if day != self.day:
                self.day, self.known, self.salt = day, set(), secrets.token_bytes(16)
            mark = hmac.new(self.salt, f"{reader}|{article_id}".encode(),
                            hashlib.sha256).digest()[:16]
            if mark in self.known or len(self.noted) >= MOST_NOTED:
                return False
            if len(self.known) < MOST_KNOWN:
                self.known.add(mark)
            self.noted.append((reader, article_id, day))
            if self.sender_pid != os.getpid():  # one sender in each process, forked or not
                self.sender_pid = os.getpid()
                threading.Thread(target=_send_every_second, name="read-notes",
                                 daemon=True).start()
        return True

    def take(self) -> list:
        with self.lock:
            taken, self.noted = self.noted, []
            return taken

    def reset(self) -> None:
        """Forget what this worker noted (tests: another day, another store)."""
        with self.lock:
            self.noted, self.day, self.known = [], None, set()


pending = Pending()
_sending = threading.Lock()


def send_pending() -> int:
    """Count the readers noted in this worker: in Redis in one round trip, or, without
    it, in the server's store of readers in one transaction, each count then waiting
    in this worker's buffer. The number of new readers counted."""
    with _sending:
        noted = pending.take()
        if not noted:
            return 0
        counted = _count_in_redis(noted)
        return counted if counted is not None else _count_in_worker(noted)


def _send_every_second() -> None:
    while True:
        time.sleep(SEND_EVERY)
        try:
            send_pending()
        except Exception:  # noqa: BLE001 - those readers are not counted; the next are
            logger.exception("Could not count the readers noted in this worker")


# Each worker's own counts, when there is no Redis to count in.

class Buffer:
    """Counts of (post id, day) waiting in this worker's memory to be written."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.written_at = time.monotonic()
        self.writer_pid = None

    def add(self, counts) -> None:
        with self.lock:
            for pair, readers in counts.items():
                if pair in self.counts or len(self.counts) < MOST_BUFFERED:
                    self.counts[pair] += readers
            if self.writer_pid != os.getpid():  # one writer in each process, forked or not
                self.writer_pid = os.getpid()
                threading.Thread(target=_write_every_minute, name="read-counts",
                                 daemon=True).start()

    def take(self) -> Counter:
        with self.lock:
            taken, self.counts = self.counts, Counter()
            self.written_at = time.monotonic()
            return taken

    def due(self) -> bool:
        return bool(self.counts) and time.monotonic() - self.written_at >= WRITE_EVERY


buffer = Buffer()


def _count_in_worker(noted) -> int:
    """Count the noted readers in this worker's memory, each once a day as told by the
    server's store of readers, shared by its workers (never the default cache: a
    database table, a write per view). How many were counted."""
    store = caches["readers"]
    counted = Counter()
    for day in {day for _, _, day in noted}:
        lifetime = _seconds_left(day)
        salt_key = f"reads:salt:{day.isoformat()}"
        salt = _salts.get(("worker", salt_key))
        if salt is None:
            store.add(salt_key, secrets.token_hex(16), lifetime)
            salt = store.get(salt_key)
            if salt is None:  # the store cannot be used (a full disk): not counted
                continue
            _salts[("worker", salt_key)] = salt
        todays = [(reader, article_id) for reader, article_id, when in noted if when == day]
        added = _add_many(
            store, [_seen_key(salt, reader, article_id, day) for reader, article_id in todays],
            lifetime)
        counted.update((article_id, day) for (_, article_id), new
                       in zip(todays, added, strict=True) if new)
    if counted:
        buffer.add(counted)
    return sum(counted.values())


def _add_many(store, keys, lifetime) -> list[bool]:
    """The server's store adds them in one transaction; another cache one by one."""
    if hasattr(store, "add_many"):
        return store.add_many(keys, 1, lifetime)
    return [store.add(key, 1, lifetime) for key in keys]


def _write_every_minute() -> None:
    """This worker's writer: what waits is written once WRITE_EVERY seconds have passed
    since the last write, with a connection of its own, closed after each write."""
    while True:
        time.sleep(1)
        if not buffer.due():
            continue
        try:
            write_buffer()
        except Exception:  # noqa: BLE001 - kept for the next try
            logger.exception("Could not write the read counts waiting in this worker")
        finally:
            connection.close()


_writing = threading.Lock()  # the writer thread and the exit write one at a time


def write_buffer() -> int:
    """Write this worker's waiting counts, its noted readers counted first; put back
    if the database refuses them."""
    send_pending()
    with _writing:
        counts = buffer.take()
        try:
            return write_counts(counts)
        except Exception:
            buffer.add(counts)
            raise


def write_buffer_at_exit() -> None:
    """When the worker stops (atexit, and gunicorn's `worker_exit`): write what waits."""
    try:
        write_buffer()
    except Exception:  # noqa: BLE001 - the process ends either way; say what was lost
        logger.exception("Could not write the read counts waiting in this worker")


atexit.register(write_buffer_at_exit)


# Writing counts.

_UPSERT = (
    "INSERT INTO {t} ({article}, {day}, {readers}) VALUES (%s, %s, %s) "
    "ON CONFLICT ({article}, {day}) DO UPDATE SET {readers} = {t}.{readers} + excluded.{readers}"
)


def write_counts(counts) -> int:
    """Add counts of (post id, day) to ReadDay: one upsert per pair, in one transaction.
    Ids of posts that are gone or not published are dropped here rather than looked
    up per view. The number of readers written."""
    ids = {article_id for article_id, _ in counts if 0 < article_id <= LARGEST_ID}
    if not ids:
        return 0
    live = set(Article.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    rows = [(article_id, day, readers) for (article_id, day), readers in sorted(counts.items())
            if article_id in live and readers > 0]
    if not rows:
        return 0
    q = connection.ops.quote_name
    sql = _UPSERT.format(t=q(ReadDay._meta.db_table), article=q("article_id"), day=q("day"),
                         readers=q("readers"))
    with transaction.atomic(), connection.cursor() as cursor:
        for article_id, day, readers in rows:
            cursor.execute(sql, [article_id, connection.ops.adapt_datefield_value(day), readers])
    return sum(readers for _, _, readers in rows)


def flush() -> int:
    """The schedule's job, every minute: write what was counted in Redis (and what
    waits in this process). Safe beside another flusher: each takes the counts out
    of Redis by renaming their hash, which only one can do; counts whose writing
    failed go back. The number of readers written."""
    written = write_buffer()
    store = counter_store()
    if store is None:
        return written
    counts_key = store.make_and_validate_key(COUNTS)
    client = store._cache.get_client(counts_key, write=True)
    taken = [key for key in store.guarded(lambda: _abandoned(store, client), []) if key]
    mine = store.make_and_validate_key(f"{TAKEN}{int(time.time())}:{secrets.token_hex(4)}")
    def take():
        try:
            return client.renamenx(counts_key, mine)
        except ResponseError:  # no such key: nothing was counted since the last flush
            return False

    if store.guarded(take, False):
        taken.append(mine)
    for key in taken:
        written += _write_taken(store, client, key, counts_key)
    return written


def _abandoned(store, client) -> list:
    """Counts another flusher took and never wrote (it died): taken over, each by a
    rename only one flusher can make."""
    pattern = store.make_and_validate_key(f"{TAKEN}*")
    prefix = pattern[:-1]
    adopted = []
    for key in client.scan_iter(match=pattern, count=100):
        key = key.decode()
        taken_at = key[len(prefix):].split(":", 1)[0]
        if not taken_at.isdigit() or time.time() - int(taken_at) < ABANDONED_AFTER:
            continue
        mine = store.make_and_validate_key(f"{TAKEN}{int(time.time())}:{secrets.token_hex(4)}")
        try:
            if client.renamenx(key, mine):
                adopted.append(mine)
        except ResponseError:  # another flusher took it over first
            continue
    return adopted


def _write_taken(store, client, key: str, counts_key: str) -> int:
    """Write the counts held under `key`, then drop it; on failure, add them back."""
    fields = store.guarded(lambda: client.hgetall(key), None)
    if fields is None:
        return 0  # Redis went away: the key waits, and is taken over later
    counts = Counter()
    for field, readers in fields.items():
        day, _, article_id = field.decode().partition(":")
        try:
            counts[(int(article_id), date.fromisoformat(day))] += int(readers)
        except ValueError:
            continue
    try:
        written = write_counts(counts)
    except Exception:
        def give_back():
            pipe = client.pipeline(transaction=True)
            for field, readers in fields.items():
                pipe.hincrby(counts_key, field, int(readers))
            pipe.delete(key)
            pipe.execute()

        store.guarded(give_back, None)
        raise
    store.guarded(lambda: client.delete(key), None)
    return written
