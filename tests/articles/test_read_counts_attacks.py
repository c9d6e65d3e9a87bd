"""Attacks on the read counts (issue 35), as a hostile visitor would try them: each
test shows a way one machine moves "Most read", or a reader is counted twice or
lost. None of them passes on the branch as attacked.

The beacon counts any id up to 2**63 - 1 and leaves made-up ones to be dropped when
counts are written: until then each made-up id is a new reader, a new (network,
post) pair in the worker's memory, a new row in the store of readers (or a key in
Redis). The worker's bounds (MOST_NETWORKS, MOST_BUFFERED, the store's
MAX_ENTRIES) are made small here so that the test is quick; at their real size the
same attack takes 100,000 requests, 5,000 requests and 1,000,000 requests, minutes
of a script from one machine."""
import pytest
from django.core.cache import caches

import library.caches
from articles import reads
from articles.models import ReadDay
from library.caches import counter_store
from tests.factories import make_article
from tests.redis_servers import caches_on, private_redis  # noqa: F401

BROWSER = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
           "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
SCRIPT = "203.0.113.9"  # the attacker's one address
MADE_UP = 10**12  # ids far past any post's


@pytest.fixture(autouse=True)
def empty_buffer():
    """Each worker's counts live in its memory, outside the test's transaction."""
    reads.buffer.take()
    reads.networks.day = None
    yield
    reads.buffer.take()


@pytest.fixture
def post(db):
    return make_article(title="Rain for the valley farms")


def read(client, article_id, *, user_agent=BROWSER, **headers):
    response = client.get(f"/articles/{article_id}/read.gif", HTTP_USER_AGENT=user_agent,
                          **headers)
    assert response.status_code == 200
    return response


def total(post) -> int:
    reads.write_buffer()
    return sum(ReadDay.objects.filter(article=post).values_list("readers", flat=True))


def test_made_up_ids_do_not_reset_a_networks_share_of_a_post(client, post, monkeypatch):
    """Past MOST_NETWORKS (network, post) pairs a worker forgets every network's count
    and starts again: made-up ids reach that bound from one address, and the same
    network then lifts the post by another VISITORS_PER_NETWORK, again and again."""
    monkeypatch.setattr(reads, "MOST_NETWORKS", 50)
    for round_ in range(3):
        for n in range(reads.VISITORS_PER_NETWORK):
            read(client, post.pk, user_agent=f"Mozilla/5.0 (Reader {round_}.{n})",
                 REMOTE_ADDR=SCRIPT)
        for n in range(51):
            read(client, MADE_UP + round_ * 100 + n, REMOTE_ADDR=SCRIPT)
    assert total(post) <= reads.VISITORS_PER_NETWORK


def test_made_up_ids_do_not_crowd_out_real_readers(client, post, monkeypatch):
    """A worker keeps at most MOST_BUFFERED (post, day) pairs until its next write:
    made-up ids fill them, and a real reader of another post is then dropped (and,
    marked as seen, not counted later that day either)."""
    monkeypatch.setattr(reads, "MOST_BUFFERED", 10)
    for n in range(10):
        read(client, MADE_UP + n, REMOTE_ADDR=SCRIPT)
    read(client, post.pk, REMOTE_ADDR="198.51.100.4")
    read(client, post.pk, REMOTE_ADDR="198.51.100.4")
    assert total(post) == 1


def test_made_up_ids_do_not_make_a_reader_count_twice_a_day(client, post, monkeypatch):
    """Past its bounds the store of readers drops its oldest writes: the day's salt
    first (written by the day's first reader), then the first readers. Made-up ids
    push both out, and every reader of the day counts again."""
    monkeypatch.setattr(caches["readers"], "_max_entries", 30)
    monkeypatch.setattr(library.caches, "SWEEP_WRITES", 1)  # sweep after each write
    read(client, post.pk, REMOTE_ADDR="198.51.100.4")
    for n in range(40):
        read(client, MADE_UP + n, REMOTE_ADDR=SCRIPT)
    read(client, post.pk, REMOTE_ADDR="198.51.100.4")  # the same reader, later that day
    assert total(post) == 1


def test_a_made_up_id_leaves_nothing_in_the_store_of_readers(client, db):
    read(client, post_id := MADE_UP, REMOTE_ADDR=SCRIPT)
    read(client, post_id + 1, REMOTE_ADDR=SCRIPT)
    assert [key for key in caches["readers"].keys() if "reads:seen:" in key] == []
    assert reads.buffer.take() == {}


def test_a_made_up_id_leaves_nothing_in_redis(client, db, settings, private_redis):  # noqa: F811
    """With REDIS_URL each made-up id is a key kept until midnight and a field of the
    counts' hash, in a Redis set never to evict (the rate limits count there too)."""
    with caches_on(settings, counters=private_redis.url):
        redis = counter_store()._cache.get_client(write=True)
        for n in range(50):
            read(client, MADE_UP + n, REMOTE_ADDR=SCRIPT)
        kept = [key for key in redis.keys("*") if b"reads:seen:" in key]
        fields = sum(redis.hlen(key) for key in redis.keys("*reads:counts*"))
    assert (len(kept), fields) == (0, 0)


def test_one_home_on_ipv6_lifts_a_post_by_one_networks_share(client, post):
    """A home is given a /56 (256 networks of /64): were the share counted per /64,
    one home would lift a post 256 times as far as the rule means. It is counted per
    /56, as for one IPv4 address."""
    for network in range(5):  # five of the home's 256 networks
        for n in range(reads.VISITORS_PER_NETWORK):
            read(client, post.pk, user_agent=f"Mozilla/5.0 (Reader {n})",
                 REMOTE_ADDR=f"2001:db8:0:{network:x}::{n + 1}")
    assert total(post) <= reads.VISITORS_PER_NETWORK


def test_behind_nginx_on_a_unix_socket_visitors_are_not_one_network(client, post, settings):
    """docs/deploy.md offers `GUNICORN_BIND=unix:…` with the proxies left at their
    default; over a unix socket gunicorn gives REMOTE_ADDR "" (no address). Were that
    not taken for our proxy, X-Forwarded-For would not be read: every visitor would be
    the address "", all those with the same browser one reader a post a day, and all
    together one network of 20 visitors a worker. (Seen with gunicorn's gthread
    worker on a unix socket: REMOTE_ADDR ''.)"""
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["127.0.0.1", "::1"]
    for n in range(reads.VISITORS_PER_NETWORK + 5):
        read(client, post.pk, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
    assert total(post) == reads.VISITORS_PER_NETWORK + 5
