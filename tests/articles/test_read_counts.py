"""'N people have read this': the post page's tiny image counts each reader once a day,
buffered in Redis or the worker and written by a job, and nothing says who read what."""
import http.client
import io
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from articles import reads
from articles.models import ReadDay
from articles.views import PIXEL
from library import jobs
from library.caches import counter_store
from tests.factories import make_article, make_member
from tests.net import free_port
from tests.processes import database_url, stop_group
from tests.redis_servers import DOWN, caches_on, private_redis  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
BROWSER = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
           "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
# Noon in the site's time zone (America/New_York), on two days running.
MONDAY = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_buffer():
    """Each worker's counts live in its memory, outside the test's transaction."""
    reads.buffer.take()
    reads.networks.day = None  # and the visitors it counted per network
    reads._published["at"] = None  # and the posts it knew
    yield
    reads.buffer.take()


@pytest.fixture
def post(db):
    # Published before the days the tests move the clock to, whenever they run.
    return make_article(title="Rain for the valley farms",
                        published_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


def beacon(post) -> str:
    return f"/articles/{post.pk}/read.gif"


def read(client, post, *, user_agent=BROWSER, **headers):
    response = client.get(beacon(post), HTTP_USER_AGENT=user_agent, **headers)
    assert response.status_code == 200
    return response


def readers(post) -> dict:
    return dict(ReadDay.objects.filter(article=post).values_list("day", "readers"))


# Who is a reader.

@pytest.mark.parametrize("user_agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.32.3",
    "Python-urllib/3.11",
    "python-httpx/0.27.0",
    "Go-http-client/1.1",
    "ELB-HealthChecker/2.0",
    "kube-probe/1.29",
    "GoogleHC/1.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36",
    "UptimeRobot/2.0",
    "",
    "   ",
])
def test_programs_are_not_readers(user_agent):
    assert reads.is_bot(user_agent)


@pytest.mark.parametrize("user_agent", [
    BROWSER,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 [FBAN/FBIOS;FBAV/450.0]",
])
def test_browsers_are_readers(user_agent):
    assert not reads.is_bot(user_agent)


# The image and the page.

def test_the_beacon_is_a_transparent_pixel_no_cache_keeps(client, post):
    response = read(client, post)
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL and PIXEL.startswith(b"GIF89a\x01\x00\x01\x00")
    assert b"\x21\xf9\x04\x01" in PIXEL  # its one colour is the transparent one
    assert "no-store" in response["Cache-Control"]
    assert client.post(beacon(post)).status_code == 405


def test_the_post_page_carries_the_beacon_and_the_policy_allows_it(client, post):
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert (f'<img class="read-beacon" src="/articles/{post.pk}/read.gif" alt="" '
            'width="1" height="1">') in html
    assert "img-src 'self'" in response["Content-Security-Policy"]


def test_a_draft_carries_no_beacon(client, db):
    staff = make_member(is_staff=True)
    draft = make_article(status="draft")
    client.force_login(staff)
    assert "read-beacon" not in client.get(draft.get_absolute_url()).content.decode()


def test_the_setting_off_removes_the_beacon_the_count_and_the_counting(
        client, post, settings):
    ReadDay.objects.create(article=post, day=date(2026, 12, 7), readers=9)
    settings.READ_COUNTS = False
    html = client.get(post.get_absolute_url()).content.decode()
    assert "read-beacon" not in html and "have read this" not in html
    read(client, post)
    assert reads.buffer.take() == {}


@pytest.mark.parametrize("total, words", [
    (0, None),
    (1, "1 person has read this"),
    (2, "2 people have read this"),
    (1204, "1,204 people have read this"),
])
def test_the_page_says_how_many_have_read_it(client, post, total, words):
    if total:
        ReadDay.objects.create(article=post, day=date(2026, 12, 6), readers=total - 1)
        ReadDay.objects.create(article=post, day=date(2026, 12, 7), readers=1)
    html = client.get(post.get_absolute_url()).content.decode()
    if words:
        assert f'<p class="read-count">{words}</p>' in html
        assert html.index("Reading Time:") < html.index(words)
    else:
        assert "have read this" not in html and "has read this" not in html


# Who counts, and how often (each worker's own memory: no Redis).

def test_a_reader_counts_once_a_day(client, post, time_machine):
    time_machine.move_to(MONDAY)
    read(client, post)
    read(client, post)
    assert reads.write_buffer() == 1
    time_machine.move_to(TUESDAY)
    read(client, post)
    reads.write_buffer()
    assert readers(post) == {date(2026, 12, 7): 1, date(2026, 12, 8): 1}
    assert "2 people have read this" in client.get(post.get_absolute_url()).content.decode()


def test_a_member_and_a_visitor_count_apart_and_each_member_once(client, post, member):
    read(client, post)
    client.force_login(member)
    read(client, post)
    read(client, post, REMOTE_ADDR="198.51.100.4")  # the same member, elsewhere
    client.logout()
    read(client, post, REMOTE_ADDR="198.51.100.4")  # another visitor
    reads.write_buffer()
    assert sum(readers(post).values()) == 3


@pytest.mark.parametrize("user_agent", ["Googlebot/2.1", "ELB-HealthChecker/2.0",
                                        "kube-probe/1.29", "curl/8.5.0", ""])
def test_programs_and_health_checks_never_count(client, post, user_agent):
    read(client, post, user_agent=user_agent)
    client.get("/healthz", HTTP_USER_AGENT=user_agent)
    assert reads.write_buffer() == 0


def test_head_is_not_a_read(client, post):
    response = client.head(beacon(post), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert reads.write_buffer() == 0
    assert not ReadDay.objects.exists()


def test_unknown_and_unpublished_posts_are_dropped_when_written(client, post):
    draft = make_article(status="draft")
    client.get("/articles/987654/read.gif", HTTP_USER_AGENT=BROWSER)
    client.get(f"/articles/{2**64}/read.gif", HTTP_USER_AGENT=BROWSER)
    reads.buffer.add({(2**64, date(2026, 12, 7)): 1})  # as if taken from Redis
    read(client, draft)
    read(client, post)
    assert reads.write_buffer() == 1
    assert list(ReadDay.objects.values_list("article", flat=True)) == [post.pk]


@pytest.mark.django_db(transaction=True)  # the worker's writer has a connection of its own
def test_a_worker_writes_its_counts_a_minute_after_its_last_write(client):
    post = make_article(title="Rain for the valley farms")
    read(client, post)
    read(client, post, REMOTE_ADDR="198.51.100.4")
    time.sleep(1.5)
    assert not ReadDay.objects.exists()  # not before the minute is up
    # Counted by the worker's sender within a second, with no call asking it to.
    assert sum(reads.buffer.counts.values()) == 2 and reads.pending.noted == []
    reads.buffer.written_at = time.monotonic() - reads.WRITE_EVERY  # the minute is up
    deadline = time.monotonic() + 5
    while not ReadDay.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sum(readers(post).values()) == 2  # with no further view to set it off
    assert reads.buffer.take() == {}


def test_counts_add_to_those_already_written(post):
    day = date(2026, 12, 7)
    ReadDay.objects.create(article=post, day=day, readers=5)
    assert reads.write_counts({(post.pk, day): 3, (post.pk, date(2026, 12, 8)): 2}) == 5
    assert readers(post) == {day: 8, date(2026, 12, 8): 2}


def test_counts_the_database_refuses_wait_for_the_next_write(post, monkeypatch):
    reads.buffer.add({(post.pk, date(2026, 12, 7)): 2})

    def refuse(counts):
        raise RuntimeError("database away")

    monkeypatch.setattr(reads, "write_counts", refuse)
    with pytest.raises(RuntimeError):
        reads.write_buffer()
    monkeypatch.undo()
    assert reads.write_buffer() == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_exits_writes_what_it_counted():
    post = make_article()
    script = (
        "import datetime, django\n"
        "django.setup()\n"
        "from articles import reads\n"
        f"reads.buffer.add({{({post.pk}, datetime.date(2026, 12, 7)): 3}})\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "intercessors.settings",
           "DJANGO_SECRET_KEY": django_settings.SECRET_KEY, "DJANGO_DEBUG": "0",
           "DJANGO_HTTPS": "0", "DJANGO_ALLOWED_HOSTS": "testserver",
           "DJANGO_ENV_FILE": os.devnull, "DATABASE_URL": database_url(), "REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert readers(post) == {date(2026, 12, 7): 3}


@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_write_their_counts_when_they_stop(tmp_path):
    post = make_article()
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "intercessors.settings",
           "DJANGO_SECRET_KEY": django_settings.SECRET_KEY, "DJANGO_DEBUG": "0",
           "DJANGO_HTTPS": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_ENV_FILE": os.devnull, "DATABASE_URL": database_url(), "REDIS_URL": "",
           "PAGE_CACHE_URL": "", "DJANGO_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                answer.request("GET", beacon(post), headers={"User-Agent": BROWSER})
                assert answer.getresponse().status == 200, log.read_text()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        assert not ReadDay.objects.exists()
    finally:
        stop_group(server)
    assert sum(readers(post).values()) == 1, log.read_text()


# Cost: no database write per view, and no query at all for a visitor.

def test_a_read_costs_no_query_for_a_visitor_and_two_for_a_member(
        client, post, member, django_assert_num_queries):
    reads.is_published(post.pk)  # the worker's minute-old list of published posts
    with django_assert_num_queries(0):
        read(client, post)
    client.force_login(member)
    with django_assert_num_queries(2):  # the session and the member: reads only
        read(client, post)
    assert not ReadDay.objects.exists()


# Privacy.

def test_nothing_stored_says_who_read_what(client, post, member):
    address, browser = "203.0.113.77", BROWSER + " Unique/9.9"
    read(client, post, user_agent=browser, REMOTE_ADDR=address)
    client.force_login(member)
    read(client, post)
    client.logout()
    reads.write_buffer()
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    stored = out.getvalue()
    assert address not in stored and "Unique/9.9" not in stored
    assert [f.name for f in ReadDay._meta.concrete_fields] == ["id", "article", "day", "readers"]
    with connection.cursor() as cursor:  # the default cache, a table: nothing of reads
        cursor.execute("SELECT cache_key FROM django_cache WHERE cache_key LIKE %s", ["%reads%"])
        assert cursor.fetchall() == []
    # The server's store of readers holds the day's salt and hashes only.
    kept = caches["readers"].keys()
    assert not any(address in key or "Unique" in key or f"member:{member.pk}" in key
                   for key in kept)


# Redis: counted there, written by the job.

@pytest.fixture
def redis_counts(settings, private_redis):  # noqa: F811
    with caches_on(settings, counters=private_redis.url):
        store = counter_store()
        yield store, store._cache.get_client(write=True)


def test_counts_wait_in_redis_until_the_job_writes_them(client, post, member, redis_counts,
                                                         time_machine):
    time_machine.move_to(MONDAY)
    read(client, post)
    read(client, post)
    client.force_login(member)
    read(client, post)
    assert not ReadDay.objects.exists() and reads.buffer.take() == {}
    assert jobs.run(jobs.SCHEDULES["Site: write read counts"]["func"]) == 2
    assert readers(post) == {date(2026, 12, 7): 2}
    read(client, post)  # seen today already, whichever server answers
    time_machine.move_to(TUESDAY)
    read(client, post)
    assert reads.flush() == 1
    assert readers(post) == {date(2026, 12, 7): 2, date(2026, 12, 8): 1}
    assert reads.flush() == 0


def test_views_call_redis_not_at_all_and_their_readers_are_counted_together(
        client, post, redis_counts):
    """A view only notes its reader in the worker; the worker's sender counts those
    noted in one round trip (one script call for them all), the day's salt read once
    by each process; a reader reading again costs nothing."""
    store, redis = redis_counts
    read(client, post, REMOTE_ADDR="198.51.100.1")
    assert reads.send_pending() == 1  # the first reads, and sets, the salt

    def calls():
        stats = redis.info("commandstats")
        return {name: stats.get(f"cmdstat_{name}", {}).get("calls", 0)
                for name in ("get", "evalsha", "eval")}

    before = calls()
    for n in range(2, 7):
        read(client, post, REMOTE_ADDR=f"198.51.100.{n}")
    read(client, post, REMOTE_ADDR="198.51.100.2")  # noted already today
    assert calls()["evalsha"] == before["evalsha"]  # the views called nothing
    assert reads.send_pending() == 5
    after = calls()
    assert after["get"] == before["get"]  # the salt: not read again
    assert after["evalsha"] + after["eval"] - before["evalsha"] - before["eval"] == 1
    assert reads.flush() == 6


def test_a_burst_of_readers_is_a_call_for_each_few_hundred_each_counted_once(
        post, redis_counts, time_machine):
    """Readers of two days in one second: a call per day and per PER_CALL readers, each
    reader counted once, and none again when another worker (here, this one after
    forgetting) notes them too."""
    time_machine.move_to(MONDAY)
    store, redis = redis_counts
    monday, tuesday = date(2026, 12, 7), date(2026, 12, 8)
    burst = [(f"visitor:198.51.100.{n % 250}:Reader {n}", post.pk, monday)
             for n in range(reads.PER_CALL * 2 + 1)]
    burst += [("member:7", post.pk, tuesday), ("member:8", post.pk, tuesday)]

    def note_all():
        for reader, article_id, day in burst:
            assert reads.pending.note(reader, article_id, day)

    def calls():
        stats = redis.info("commandstats")
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0)
                   for name in ("evalsha", "eval"))

    reads.send_pending()  # nothing waiting
    note_all()
    before = calls()
    assert reads.send_pending() == len(burst)
    assert calls() - before == 3 + 1  # Monday's 1,001 in three calls, Tuesday's in one
    reads.pending.reset()  # another worker, which noted none of them
    note_all()
    assert reads.send_pending() == 0
    assert reads.flush() == len(burst)
    assert readers(post) == {monday: reads.PER_CALL * 2 + 1, tuesday: 2}


def test_the_day_salt_and_hashes_are_gone_when_the_day_ends(client, post, redis_counts,
                                                            time_machine):
    store, redis = redis_counts
    time_machine.move_to(datetime(2026, 12, 7, 22, 0, tzinfo=UTC))  # 5 pm in New York
    address, browser = "203.0.113.77", BROWSER + " Unique/9.9"
    read(client, post, user_agent=browser, REMOTE_ADDR=address)
    reads.send_pending()
    keys = [key.decode() for key in redis.keys("*")]
    kept = [key for key in keys if "reads:salt:" in key or "reads:seen:" in key]
    assert len(kept) == 2
    for key in kept:
        assert 0 < redis.ttl(key) <= 7 * 3600 + 1  # until midnight in New York
    everything = b"".join(redis.dump(key) or b"" for key in redis.keys("*")).decode("latin-1")
    assert address not in everything + "".join(keys) and "Unique" not in everything


def test_two_flushers_write_every_count_once(client, post, redis_counts, monkeypatch):
    read(client, post)
    write = reads.write_counts
    calls = []

    def write_while_another_flushes(counts):
        if counts and not calls:
            calls.append(dict(counts))
            # Between this flusher taking the counts and writing them, a reader comes
            # and another flusher runs.
            read(client, post, REMOTE_ADDR="198.51.100.4")
            assert reads.flush() == 1
        return write(counts)

    monkeypatch.setattr(reads, "write_counts", write_while_another_flushes)
    assert reads.flush() == 1
    assert sum(readers(post).values()) == 2


def test_counts_a_flusher_could_not_write_go_back(client, post, redis_counts, monkeypatch):
    store, redis = redis_counts
    read(client, post)

    def refuse(counts):
        raise RuntimeError("database away")

    monkeypatch.setattr(reads, "write_counts", refuse)
    with pytest.raises(RuntimeError):
        reads.flush()
    monkeypatch.undo()
    assert not redis.keys("*reads:taken:*")
    assert reads.flush() == 1


def test_counts_a_dead_flusher_left_are_taken_over_later(post, redis_counts):
    store, redis = redis_counts
    field = f"2026-12-07:{post.pk}"
    old = int(time.time()) - reads.ABANDONED_AFTER - 1
    redis.hset(store.make_and_validate_key(f"{reads.TAKEN}{old}:dead"), field, 4)
    redis.hset(store.make_and_validate_key(f"{reads.TAKEN}{int(time.time())}:busy"), field, 5)
    assert reads.flush() == 4  # the recent one belongs to a flusher still at work
    assert len(redis.keys("*reads:taken:*")) == 1


def test_redis_down_the_beacon_answers_and_the_worker_counts(client, post, settings):
    with caches_on(settings, counters=DOWN):
        read(client, post)
        read(client, post)
        assert reads.flush() == 1
    assert sum(readers(post).values()) == 1


# What a script cannot do.

def test_one_network_lifts_a_post_by_at_most_its_share_of_visitors(client, post):
    for n in range(reads.VISITORS_PER_NETWORK + 5):  # a script changing its browser name
        read(client, post, user_agent=f"Mozilla/5.0 (Reader {n})", REMOTE_ADDR="203.0.113.9")
    read(client, post, REMOTE_ADDR="198.51.100.4")  # another network still counts
    reads.write_buffer()
    assert sum(readers(post).values()) == reads.VISITORS_PER_NETWORK + 1


def test_the_image_shown_on_another_site_counts_no_one(client, post):
    read(client, post, HTTP_SEC_FETCH_SITE="cross-site")
    read(client, post, HTTP_SEC_FETCH_SITE="same-origin", REMOTE_ADDR="198.51.100.4")
    reads.write_buffer()
    assert sum(readers(post).values()) == 1
