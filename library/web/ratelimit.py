"""Fixed-window rate limits that hold across workers and servers.

With REDIS_URL they count in that Redis (an atomic INCR). Without it, or while
it is unreachable, they count in one database table, by a single INSERT … ON
CONFLICT … RETURNING, which is atomic on PostgreSQL and SQLite alike; a limit
never fails open. The database cache cannot serve: its increment is a read
followed by a write, so racing workers could both see room under the limit.

Call `allow` outside any transaction: inside one, PostgreSQL would hold the
counter's row until the transaction ends, and a rollback would undo the count."""
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from library.caches import counter_store
from library.models import RateLimitBucket


def _trusted(address: str) -> bool:
    if not address:
        # No address: the request came over a unix socket, which only a program on
        # this machine can open, as our proxy does (GUNICORN_BIND=unix:…).
        return bool(settings.BEHIND_PROXY)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The visitor's address. X-Forwarded-For is believed only when the request came
    from one of our proxies (DJANGO_TRUSTED_PROXIES), and then read from the right,
    past our own proxies, to the first address they did not add themselves: what a
    visitor writes in the header is further left and never counts."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([a for a in forwarded if a]):
        if not _trusted(hop):
            return hop
        address = hop
    return address


def client_network(request) -> str:
    """What per-address limits count: an IPv4 address, or the /64 network of an IPv6
    one, since one home or machine is given a whole /64 to pick addresses from."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def allow(scope: str, ident, *, limit: int, period: int) -> bool:
    """Count one action for `ident` in `scope`; False once `limit` per `period` seconds is spent."""
    now = time.time()
    window = int(now // period)
    key = f"rl:{scope}:{window}:{hashlib.sha256(str(ident).encode()).hexdigest()[:32]}"
    counters = counter_store()
    count = counters.count(key, period) if counters is not None else None
    if count is None:
        count = _count_in_database(key, expires=(window + 1) * period, now=int(now))
    return count <= limit


def reset() -> None:
    """Forget every count, ours and allauth's (which live in the default cache)."""
    cache.clear()
    if (counters := counter_store()) is not None:
        counters.clear()
    RateLimitBucket.objects.all().delete()


_UPSERT = (
    "INSERT INTO {t} ({bucket}, {count}, {expires}) VALUES (%s, 1, %s) "
    "ON CONFLICT ({bucket}) DO UPDATE SET {count} = {t}.{count} + 1 RETURNING {count}"
)


# Windows are swept this long after they end (by a schedule, `sweep`), so a server
# whose clock runs a little ahead cannot reset a window another is still counting in.
SWEEP_GRACE = 60


def _count_in_database(key: str, *, expires: int, now: int) -> int:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(t=q(RateLimitBucket._meta.db_table), bucket=q("bucket"),
                           count=q("count"), expires=q("expires")),
            [key, expires],
        )
        return cursor.fetchone()[0]


def sweep() -> int:
    """The schedule's job: drop ended windows, so the table stays small."""
    deleted, _ = RateLimitBucket.objects.filter(expires__lt=time.time() - SWEEP_GRACE).delete()
    return deleted
