"""`make bench`: serve the site as in production (gunicorn, debug off) on a large
archive, drive load at it with wrk from a second process on 127.0.0.1, and write
the results to docs/benchmarks.md.

Every page is measured the same way as a minimal Django view of similar size
that makes no query (the "ceiling"): what this machine can do with Django alone.
"""
import datetime
import http.client
import json
import os
import platform
import random
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.perf import mail_bench, mailing_bench, statements_bench  # noqa: E402

PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARM_UP = 2  # seconds of load before each measured run, not counted
CONNECTIONS = 16
THREADS = 2
REPORT = ROOT / "docs" / "benchmarks.md"

SCENARIOS = [
    # (label, path, member?, target ratio to ceiling, target p99 ms)
    ("Ceiling: minimal Django view, no queries", "/bench/ceiling/", False, None, None),
    ("Home page", "/", False, 0.40, 150),
    ("Post, 50 comments, anonymous", "/articles/bench-post-00000/", False, 0.60, 100),
    ("Post, 50 comments, logged-in member", "/articles/bench-post-00000/", True, 0.60, 200),
    ("Post, 1,000 comments, anonymous", "/articles/bench-post-00001/", False, None, 400),
    ("Post, 1,000 comments, logged-in member", "/articles/bench-post-00001/", True, None, 400),
    ("Prayer posts, page 1", "/articles/", False, 0.40, 150),
    ("Prayer posts, page 400", "/articles/?page=400", False, 0.40, 150),
    ("Prayer posts, page 400, member", "/articles/?page=400", True, 0.60, 200),
    ("State map", "/states/", False, 0.40, 150),
    ("State map, member", "/states/", True, 0.60, 200),
    ("State page (Texas)", "/states/texas/", False, 0.40, 150),
    ("State page (Texas), member", "/states/texas/", True, 0.60, 200),
    ("Search (a word in one title)", "/search/?q=4242", False, 0.40, 150),
    ("Search (a word in one title), member", "/search/?q=4242", True, 0.60, 200),
    ("Search (a word in every post)", "/search/?q=harvest", False, 0.40, None),
    ("Search (a word in every post), member", "/search/?q=harvest", True, 0.40, None),
    ("Leaders list", "/leaders/", False, 0.60, 100),
    ("Leaders list, member", "/leaders/", True, 0.60, 200),
    ("Leader page (a senator)", "/leaders/maria-cantwell/", False, 0.60, 100),
    ("Leader page (a senator), member", "/leaders/maria-cantwell/", True, 0.60, 200),
    ("Prayer wall, page 1", "/prayers/requests/", False, 0.40, 150),
    ("Prayer wall, page 1, member", "/prayers/requests/", True, 0.60, 200),
    ("Prayer wall, page 400", "/prayers/requests/?page=400", False, 0.40, 150),
    ("Prayer wall, page 400, member", "/prayers/requests/?page=400", True, 0.60, 200),
    ("Prayer wall, one category", "/prayers/requests/?category=health", False, 0.40, 150),
    ("Prayer wall, one category, member", "/prayers/requests/?category=health", True, 0.60,
     200),
    ("Prayer wall search (a word in one request)", "/prayers/requests/?q=4242", False, 0.40,
     150),
    ("Prayer wall search (a word in one request), member", "/prayers/requests/?q=4242", True,
     0.60, 200),
    ("Prayer wall search (a word in many requests)", "/prayers/requests/?q=farmers", False,
     0.40, None),
    ("Pray through the wall, member", "/prayers/requests/pray/", True, 0.60, 200),
    ("My prayers (5,000 marks), member", "/accounts/prayers/", True, 0.60, 200),
    ("My prayers (5,000 marks), page 400, member", "/accounts/prayers/?page=400", True, 0.60,
     200),
]

# Reads of a post while prayers land on other posts (the mixed-load rows): each
# is compared with the same read measured alone just before.
TRICKLE_PER_SECOND = 20
TRICKLE_SENDERS = 4
ANSWERS = threading.Lock()
MIXED = [
    ("Post, 50 comments, anonymous, while 20 prayers a second land elsewhere",
     "/articles/bench-post-00000/", False),
    ("Post, 50 comments, member, while 20 prayers a second land elsewhere",
     "/articles/bench-post-00000/", True),
]
MIXED_TARGET = 0.80
PRAYED_TARGET = 0.50  # "I Prayed": recorded marks a second, against the ceiling's req/s

# Sustained load (the burst of a mailing lasts minutes): each page for its first
# seconds on a server just started, then SUSTAINED_SECONDS on; then the posts again
# while a member comments on the post being read every second.
SUSTAINED_SECONDS = int(os.environ.get("BENCH_SUSTAINED_SECONDS", "60"))
FIRST_SECONDS = 5
SUSTAINED = [
    ("Ceiling: minimal Django view, no queries", "/bench/ceiling/", False),
    ("Post, 50 comments, anonymous", "/articles/bench-post-00000/", False),
    ("Post, 50 comments, logged-in member", "/articles/bench-post-00000/", True),
]
SUSTAINED_KEPT = 0.90  # the sustained rate against the first seconds'
SUSTAINED_MEMBER_P99 = 2.0  # the member post's p99 against the ceiling's, same run
COMMENTED_P99 = 1.5  # with a comment a second, against the same page without
# A run of a minute on 2 cores swings by a tenth, its first seconds by more: the whole
# section is run this many times, each on a gunicorn of its own, and each row judged
# by its middle run.
SUSTAINED_ROUNDS = int(os.environ.get("BENCH_SUSTAINED_ROUNDS", "3"))

# Read counts: the anonymous post read by new visitors, each view the page and its
# read-count image, with counting off (the image answered, nothing counted) and on;
# and the page alone, for what the image's request itself costs.
READS = [
    ("the page alone, no image fetched", {"DJANGO_READ_COUNTS": "0"}, False),
    ("counting off: page and image", {"DJANGO_READ_COUNTS": "0"}, True),
    ("counting on, buffered in Redis (REDIS_URL): page and image",
     {"DJANGO_READ_COUNTS": "1"}, True),
    ("counting on, buffered in each worker (no REDIS_URL): page and image",
     {"DJANGO_READ_COUNTS": "1", "REDIS_URL": ""}, True),
]
READS_KEPT = 0.90  # the page rate with counting on, against counting off
# Runs of a few seconds on 2 cores swing by a tenth: each row is run this many times,
# the rows taking turns, and judged by its middle run.
READS_ROUNDS = 3

# gunicorn's settings, each tried on the posts under the sustained load
# (BENCH_ONLY=gunicorn): what `gunicorn.conf.py` ships was chosen from these.
GUNICORN_CHOICES = [
    ("2 workers a core, recycled every 5,000 requests, each loading the site itself "
     "(before)",
     {"GUNICORN_WORKERS": "4", "GUNICORN_MAX_REQUESTS": "5000", "GUNICORN_PRELOAD": "0"}),
    ("2 workers a core, recycled every 5,000 requests, forked from a loaded site",
     {"GUNICORN_WORKERS": "4", "GUNICORN_MAX_REQUESTS": "5000", "GUNICORN_PRELOAD": "1"}),
    ("2 workers a core, recycled every 100,000 requests, forked from a loaded site",
     {"GUNICORN_WORKERS": "4", "GUNICORN_MAX_REQUESTS": "100000", "GUNICORN_PRELOAD": "1"}),
    ("1 worker a core, recycled every 100,000 requests, each loading the site itself",
     {"GUNICORN_WORKERS": "2", "GUNICORN_MAX_REQUESTS": "100000", "GUNICORN_PRELOAD": "0"}),
    ("1 worker a core, recycled every 100,000 requests, forked from a loaded site",
     {"GUNICORN_WORKERS": "2", "GUNICORN_MAX_REQUESTS": "100000", "GUNICORN_PRELOAD": "1"}),
    ("1 worker a core, recycled every 100,000 requests, forked from a loaded site, "
     "no bound on a worker's connections",
     {"GUNICORN_WORKERS": "2", "GUNICORN_MAX_REQUESTS": "100000", "GUNICORN_PRELOAD": "1",
      "GUNICORN_WORKER_CONNECTIONS": "1000"}),
    ("3 workers a core, recycled every 100,000 requests, forked from a loaded site",
     {"GUNICORN_WORKERS": "6", "GUNICORN_MAX_REQUESTS": "100000", "GUNICORN_PRELOAD": "1"}),
]
GUNICORN_SECONDS = 30  # each page, each setting

# BENCH_ONLY="Ceiling,member" keeps the scenarios whose label contains one of the words
# (the ceiling always runs); for trying one setting quickly, or measuring new pages:
# their rows are put into the report's table (BENCH_WRITE=0: printed only).
ONLY = [w.strip().lower() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
SCENARIOS_ALL = SCENARIOS
if ONLY:
    SCENARIOS = [s for i, s in enumerate(SCENARIOS)
                 if i == 0 or any(w in s[0].lower() for w in ONLY)]

NGINX_PORT = PORT + 1
NGINX_BASE = f"http://127.0.0.1:{NGINX_PORT}"
NGINX_CONF = """
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream app {{ server 127.0.0.1:{app_port}; keepalive 32; }}
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=pages:10m max_size=100m inactive=1m;
    map $http_cookie $skip_page_cache {{ default 0; ~*sessionid= 1; ~*messages= 1; }}
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {static}/; gzip_static on; expires 1y; }}
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache pages;
            proxy_cache_key "$scheme$host$request_uri";
            proxy_cache_valid 200 5s;
            proxy_cache_lock on;
            proxy_cache_use_stale updating;
            proxy_cache_bypass $skip_page_cache;
            proxy_no_cache $skip_page_cache;
        }}
    }}
}}
"""


def start_nginx(env):
    """nginx in front of one gunicorn, as in deploy/nginx/intercessors.conf, when
    Debian's nginx is installed."""
    if not Path("/usr/sbin/nginx").exists():
        return None, None
    tmp = Path(tempfile.mkdtemp(prefix="intercessors-nginx-"))
    static = env["DJANGO_STATIC_ROOT"]
    css = next(Path(static, "css").glob("site.*.css"))
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user="user root;" if os.geteuid() == 0 else "", tmp=tmp, app_port=PORT,
        port=NGINX_PORT, static=static,
    ))
    process = subprocess.Popen(
        ["/usr/sbin/nginx", "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    time.sleep(1)
    return process, f"/static/css/{css.name}"


PREPARE = r"""
import secrets, sys
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from accounts.models import User
from prayers.models import Prayer

store = SessionStore()
expire = timezone.now() + timedelta(days=1)
members = list(
    User.objects.select_related(None).filter(username__startswith="bench").only("id", "password")
)
sessions, rows = [], []
for user in members:
    key = secrets.token_hex(16)
    data = {SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"}
    sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    rows.append(key)
Session.objects.bulk_create(sessions, batch_size=1000)
bench = Prayer.objects.filter(article__slug__startswith="bench-post-")
prayers = list(bench.values_list("id", flat=True))
with open(sys.argv[1], "w") as out:
    for _ in range(200_000):
        csrf = secrets.token_hex(16)
        out.write(f"{secrets.choice(rows)} {csrf} {secrets.choice(prayers)}\n")
read = bench.filter(article__slug__in=["bench-post-00000", "bench-post-00001"])
print(",".join(str(pk) for pk in read.values_list("id", flat=True)))
print(rows[0])
from articles.models import Article
print(Article.objects.get(slug="bench-post-00000").pk)
"""

PLANS = r"""
import json
from accounts.models import User
from articles.selectors import article_cards, search_articles
from library.text.search import matching
from prayers.models import Prayer
from prayers.selectors import guided_queue
from states.models import State
texas = State.objects.get(code="TX")
queries = {
    "Prayer posts, page 400 (the page's ids)":
        article_cards().values_list("pk", flat=True)[4788:4800],
    "State page posts (Texas)":
        article_cards().filter(states=texas).values_list("pk", flat=True)[:12],
    "Search (a word in one title)": search_articles("4242").values_list("pk", flat=True)[:12],
    "Prayer wall, one category (the page's ids)":
        Prayer.objects.on_the_wall().filter(category="health")
        .order_by("-published_at", "-id").values_list("pk", flat=True)[:13],
    "Prayer wall search (a word in many requests)":
        matching(Prayer.objects.findable(), "farmers", fts_table="prayers_search")
        .order_by("-published_at", "-id").values_list("pk", flat=True)[:13],
    "Pray through the wall (the next request)":
        guided_queue(member=User.objects.filter(username__startswith="bench")
                     .order_by("id").first())[:1],
}
print(json.dumps({name: qs.explain() for name, qs in queries.items()}))
"""

COUNTS = r"""
from django.db.models import Sum
from prayers.models import Prayer, PrayerMark
print(PrayerMark.objects.count(), Prayer.objects.aggregate(s=Sum("prayed_count"))["s"])
"""


def run(*args, env, capture=False, timeout=600):
    result = subprocess.run(
        args, cwd=ROOT, env=env, text=True, timeout=timeout, capture_output=capture
    )
    if result.returncode:
        raise SystemExit(f"failed: {args[:3]}…\n{result.stderr or ''}")
    return result.stdout if capture else None


def manage(env, *args, capture=False):
    return run(PY, "manage.py", *args, env=env, capture=capture)


def shell(env, code, *argv):
    return run(PY, "-c", "import django, sys; django.setup(); sys.argv=[''] + "
               f"{list(argv)!r}; exec({code!r})", env=env, capture=True)


def environment():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.perf.bench_settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        SITE_URL=BASE,
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / "intercessors-bench-static"),
    )
    notes = []
    if not env.get("DATABASE_URL"):
        path = ROOT / "bench.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        notes.append(
            "No DATABASE_URL was given, so this run used SQLite; the targets are for PostgreSQL."
        )
        print("No DATABASE_URL: benchmarking on SQLite (targets are for PostgreSQL).")
    if not env.get("REDIS_URL") and _listening(6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/7"
        notes.append("Rate limits: the local Redis (REDIS_URL), as a multi-host deployment "
                     "would use.")
    elif env.get("REDIS_URL"):
        notes.append("Rate limits: Redis from REDIS_URL.")
    else:
        notes.append("Rate limits: their database table (no Redis found).")
    if env.get("PAGE_CACHE_URL"):
        notes.append("Pages: Redis from PAGE_CACHE_URL.")
    else:
        notes.append("Pages: the store every worker of the server shares (no PAGE_CACHE_URL).")
    return env, notes


def _listening(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_server(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def fetch(path, cookie=None):
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


INDEX_NAME = re.compile(r"(?:using|on) (\w+(?:_idx|_gin|_pkey|_uniq))")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(path, *, cookie=None, script=None, extra_env=None, base=BASE, seconds=None):
    seconds = seconds or SECONDS
    args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    if script:
        args += ["-s", str(Path(script).relative_to(ROOT))]
    args.append(base + path)
    env = {**os.environ, **(extra_env or {})}
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=seconds + 60,
                         check=True, cwd=ROOT).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", out,
                                       re.M):
        percentiles[pct] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "requests": requests, "p50": percentiles.get("50"),
            "p99": percentiles.get("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "command": shlex.join(args)}


def trickle(pairs, read_prayers, stop, answers):
    """POST "I Prayed" at TRICKLE_PER_SECOND in all, from many members, on posts
    other than the ones being read, until `stop` is set; count the answers by
    status. Several senders, so that one slow answer does not slow the pace."""
    skip = set(read_prayers.split(","))
    rows = [line.split() for line in Path(pairs).read_text().splitlines()]
    rows = [row for row in rows if row[2] not in skip]
    senders = [threading.Thread(target=_send, args=(rows, stop, answers, n))
               for n in range(TRICKLE_SENDERS)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()


def _send(rows, stop, answers, n):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    pace = TRICKLE_SENDERS / TRICKLE_PER_SECOND
    due = time.monotonic() + n * pace / TRICKLE_SENDERS
    time.sleep(n * pace / TRICKLE_SENDERS)
    while not stop.is_set():
        session, csrf, prayer = random.choice(rows)
        try:
            connection.request("POST", f"/prayers/{prayer}/prayed/", body=b"", headers={
                "Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            with ANSWERS:
                answers[response.status] = answers.get(response.status, 0) + 1
        except OSError:
            with ANSWERS:
                answers["error"] = answers.get("error", 0) + 1
            connection.close()
        due += pace
        time.sleep(max(0.0, due - time.monotonic()))
    connection.close()


def mixed(pairs, read_prayers, cookie):
    """The mixed-load rows: each read of MIXED under wrk alone, then at once again
    while `trickle` runs beside it, so that both meet the machine in the same state."""
    results = []
    for label, path, member in MIXED:
        print(f"  {label} …", flush=True)
        time.sleep(2)
        alone = wrk(path, cookie=cookie if member else None)
        time.sleep(2)
        stop, answers = threading.Event(), {}
        thread = threading.Thread(target=trickle, args=(pairs, read_prayers, stop, answers))
        thread.start()
        try:
            time.sleep(1)  # the trickle first, then the reads beside it
            sent = sum(answers.values())
            result = wrk(path, cookie=cookie if member else None)
            result["prayers"] = (sum(answers.values()) - sent) / SECONDS
        finally:
            stop.set()
            thread.join(timeout=30)
        results.append((label, alone, result, answers))
    return results


def start_server(env, log=None):
    """gunicorn as `gunicorn.conf.py` sets it, its log kept in `log` (or dropped)."""
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=log.open("ab") if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_server()
    return server


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def comment_every_second(pairs, post_pk, stop, answers):
    """A comment on the post being read each second, each from another member (a
    member's own pace is one each FLOOD_SECONDS), until `stop` is set; the answers
    counted by status (302: posted, and the post's renders retired)."""
    rows = [line.split() for line in Path(pairs).read_text().splitlines()]
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    due, n = time.monotonic(), 0
    while not stop.is_set():
        session, csrf, _ = rows[n % len(rows)]
        n += 1
        body = urllib.parse.urlencode({
            "body": f"Praying with you tonight, friends ({n}).", "target": "articles.article",
            "object_id": post_pk, "csrfmiddlewaretoken": csrf})
        try:
            connection.request("POST", "/comments/post/", body=body.encode(), headers={
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = "error"
            connection.close()
        with ANSWERS:
            answers[status] = answers.get(status, 0) + 1
        due += 1.0
        time.sleep(max(0.0, due - time.monotonic()))
    connection.close()


def sustained(env, pairs, cookie, post_pk):
    """The sustained rows SUSTAINED_ROUNDS times, each round on a gunicorn started for
    it: each page's first FIRST_SECONDS, then SUSTAINED_SECONDS of the same load; then
    each post again for SUSTAINED_SECONDS while a comment lands on it every second.
    Each round's (rows, commented), and the workers gunicorn recycled in all (its log)."""
    rounds, recycled = [], 0
    for round_ in range(1, SUSTAINED_ROUNDS + 1):
        shell(env, FIFTY_COMMENTS)
        log = Path(tempfile.mkdtemp(prefix="intercessors-bench-")) / "gunicorn.log"
        server = start_server({**env, "DJANGO_LOG_LEVEL": "INFO"}, log)
        rows, commented = [], []
        try:
            for _, path, member in SUSTAINED:
                fetch(path, cookie if member else None)
            for label, path, member in SUSTAINED:
                print(f"  Sustained, run {round_} of {SUSTAINED_ROUNDS}: {label} …", flush=True)
                time.sleep(2)
                first = wrk(path, cookie=cookie if member else None, seconds=FIRST_SECONDS)
                then = wrk(path, cookie=cookie if member else None, seconds=SUSTAINED_SECONDS)
                rows.append((label, first, then))
            for label, path, member in SUSTAINED[1:]:
                print(f"  Sustained, run {round_} of {SUSTAINED_ROUNDS}, a comment a second: "
                      f"{label} …", flush=True)
                time.sleep(2)
                stop, answers = threading.Event(), {}
                thread = threading.Thread(target=comment_every_second,
                                          args=(pairs, post_pk, stop, answers))
                thread.start()
                try:
                    result = wrk(path, cookie=cookie if member else None,
                                 seconds=SUSTAINED_SECONDS)
                finally:
                    stop.set()
                    thread.join(timeout=30)
                    shell(env, FIFTY_COMMENTS)
                commented.append((label, result, answers))
        finally:
            stop_server(server)
        recycled += log.read_text().count("Autorestarting worker")
        rounds.append((rows, commented))
    return rounds, recycled


def middle(runs, measure):
    """The run in the middle when `runs` are ordered by `measure`."""
    return sorted(runs, key=measure)[len(runs) // 2]


# The post read with comments arriving keeps the 50 comments the archive gave it: what
# a run added is taken away again before and after (a comment is one more to render).
FIFTY_COMMENTS = r"""
from articles.models import Article
from comments.models import Comment
from library.pages import pagecache
post = Article.objects.get(slug="bench-post-00000")
on_post = Comment.objects.filter(content_type__model="article", object_id=post.pk)
keep = list(on_post.order_by("id").values_list("id", flat=True)[:50])
gone, _ = on_post.exclude(id__in=keep).delete()
pagecache.retire()
print(gone)
"""

READERS = r"""
import sys
from django.db.models import Sum
from articles import reads
from articles.models import ReadDay
if sys.argv[2] == "flush":
    reads.flush()  # the job's work: what waits in Redis
print(ReadDay.objects.filter(article_id=int(sys.argv[1])).aggregate(n=Sum("readers"))["n"] or 0)
"""


def judged(name, checks, result, failures) -> str:
    """A row's last two cells, "targets | met", its non-2xx answers counted against
    it; a row that misses is named in `failures`."""
    if result["non2xx"]:
        checks.append((f"{result['non2xx']} non-2xx answers", False))
    met = all(ok for _, ok in checks)
    if not met:
        failures.append(name)
    return (f"{'; '.join(t for t, _ in checks) or '—'} | "
            f"{'yes' if met else ('**no**' if checks else '—')}")


def read_counting(env, post_pk):
    """Each READS row READS_ROUNDS times, the rows taking turns, each run on a gunicorn
    of its own for SUSTAINED_SECONDS / 4; for each row its middle run by pages a
    second, and the views and the readers written for the post over all its runs (the
    Redis row's after the job's flush; the workers' when gunicorn stops them)."""
    path, beacon = "/articles/bench-post-00000/", f"/articles/{post_pk}/read.gif"
    runs = {label: [] for label, _, _ in READS}
    shell(env, READERS, post_pk, "flush")  # what an earlier run left waiting in Redis
    for round_ in range(1, READS_ROUNDS + 1):
        for label, extra, imaged in READS:
            print(f"  Read counts, run {round_} of {READS_ROUNDS}: {label} …", flush=True)
            before = int(shell(env, READERS, post_pk, "-").strip().splitlines()[-1])
            # Each view from an address of its own, as 127.0.0.1, a proxy, says.
            server = start_server({**env, **extra, "DJANGO_BEHIND_PROXY": "1",
                                   "DJANGO_TRUSTED_PROXIES": "127.0.0.1"})
            try:
                fetch(path)
                time.sleep(2)
                result = wrk(path, script=ROOT / "tests" / "perf" / "reads.lua",
                             extra_env={"BENCH_BEACON": beacon if imaged else ""},
                             seconds=SUSTAINED_SECONDS // 4)
            finally:
                stop_server(server)
            after = int(shell({**env, **extra}, READERS, post_pk,
                              "flush").strip().splitlines()[-1])
            runs[label].append((result, after - before,
                                result["requests"] // (2 if imaged else 1)))
    rows = []
    for label, extra, imaged in READS:
        ordered = sorted(runs[label], key=lambda run: run[0]["rps"])
        middle = ordered[len(ordered) // 2][0]
        rows.append((label, middle, imaged, extra["DJANGO_READ_COUNTS"] == "1",
                     sum(written for _, written, _ in ordered),
                     sum(views for _, _, views in ordered),
                     [run[0]["rps"] / (2 if imaged else 1) for run in runs[label]]))
    return rows


def reads_report(rows) -> tuple[list[str], list[str]]:
    failures = []
    alone, off = rows[0][1]["rps"], rows[1][1]["rps"] / 2
    lines = [
        "## Read counts: a page and its image for each view",
        "",
        "New visitors (a User-Agent and an address of their own each) read the anonymous "
        f"post with 50 comments for {SUSTAINED_SECONDS // 4} s each run, each view the "
        "page and then its read-count image (`tests/perf/reads.lua`), on a gunicorn "
        f"started for the run. Each row is run {READS_ROUNDS} times, the rows taking "
        "turns, and shown by its middle run (every run's pages a second in the last "
        "column); views and readers written are of all its runs. With counting off "
        "the image is answered and nothing is "
        "counted, so the two runs differ by the counting alone; the first row, the page "
        f"without its image, shows what the image's request itself costs ({off / alone:.0%} of "
        "those pages a second are left with it). Readers written: the post's readers "
        "in the database afterwards, the Redis buffer written by the job's flush, the "
        "workers' as gunicorn stopped them.",
        "",
        "| run | pages/s | p50 ms | p99 ms | vs counting off | views | readers written "
        "| target | met | each run, pages/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for label, result, imaged, counting, written, views, each in rows:
        pages = result["rps"] / (2 if imaged else 1)
        checks = []
        if counting:
            checks = [(f"≥{READS_KEPT:.0%} of counting off", pages >= READS_KEPT * off),
                      ("every view written", written >= 0.99 * views)]
        lines.append(
            f"| {label} | {pages:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{pages / off:.0%} | {views:,.0f} | {written:,} | "
            f"{judged(f'read counts: {label}', checks, result, failures)} | "
            f"{', '.join(f'{rate:,.0f}' for rate in each)} |")
    return lines, failures


def gunicorn_choices(env, cookie):
    """Each GUNICORN_CHOICES row on a gunicorn of its own: the anonymous and the member
    post for SUSTAINED_SECONDS each, the workers recycled meanwhile, and the memory of
    every gunicorn process at the end."""
    rows = []
    for label, extra in GUNICORN_CHOICES:
        print(f"  gunicorn: {label} …", flush=True)
        log = Path(tempfile.mkdtemp(prefix="intercessors-bench-")) / "gunicorn.log"
        server = start_server({**env, **extra, "DJANGO_LOG_LEVEL": "INFO"}, log)
        try:
            results = []
            for _, path, member in SUSTAINED[1:]:
                fetch(path, cookie if member else None)
                time.sleep(2)
                results.append(wrk(path, cookie=cookie if member else None,
                                   seconds=GUNICORN_SECONDS))
            memory = _group_memory(server.pid)
        finally:
            stop_server(server)
        rows.append((label, results, log.read_text().count("Autorestarting worker"), memory))
    return rows


def _group_memory(pgid) -> int:
    """The resident memory of every process in the group, in MB (shared pages counted
    in each, as `ps` does)."""
    out = subprocess.run(["ps", "-o", "rss=", "-g", str(pgid)], capture_output=True,
                         text=True).stdout
    return sum(int(n) for n in out.split()) // 1024


def gunicorn_report(rows) -> list[str]:
    lines = [
        "## Choosing gunicorn's settings",
        "",
        f"On {os.cpu_count()} cores, each setting on a gunicorn of its own: the post with "
        f"50 comments for {GUNICORN_SECONDS} s anonymous, then {GUNICORN_SECONDS} s as a "
        "member "
        "(`BENCH_ONLY=gunicorn make bench`); threads 4 each, and each worker holding at "
        "most 12 connections (`worker_connections`) unless the row says. Recycled: workers "
        "gunicorn "
        "restarted meanwhile (`max_requests`, with a tenth of it as jitter). Memory: "
        "every gunicorn process's resident memory at the end, shared pages counted in each.",
        "",
        "| setting | anonymous req/s | p99 ms | member req/s | p99 ms | recycled | memory MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, (anonymous, member), recycled, memory in rows:
        lines.append(f"| {label} | {anonymous['rps']:,.0f} | {anonymous['p99']:.1f} | "
                     f"{member['rps']:,.0f} | {member['p99']:.1f} | {recycled} | {memory:,} |")
    return lines


def sustained_report(rounds, recycled) -> tuple[list[str], list[str]]:
    """The sustained section's lines, and the labels of the rows that missed. Each row
    is shown by its middle run: a page's by its rate against its first seconds, the
    ceiling's by its p99, a commented post's by its p99 against the same run's post
    without comments."""
    failures = []
    runs = len(rounds)
    ceilings = [rows[0] for rows, _ in rounds]
    ceiling_p99 = middle(ceilings, lambda row: row[2]["p99"])[2]["p99"]
    lines = [
        "## Sustained load: a minute and more, with and without comments",
        "",
        f"Each page: its first {FIRST_SECONDS} s on a gunicorn just started (after one "
        f"request), then {SUSTAINED_SECONDS} s more of the same load; then each post again "
        f"for {SUSTAINED_SECONDS} s while a member comments on it every second, each "
        "comment retiring its renders (`comments.services`). Renders are kept in the "
        "store every worker of the server shares (`library.caches.ServerStore`). "
        f"The whole section ran {runs} time(s), each on a gunicorn of its own, and each "
        "row shows its middle run (every run's figure in the last column): a page's by "
        "its rate against its first seconds, the ceiling's by its p99, a commented post's "
        "by its p99 against the same run's post without comments. "
        f"gunicorn recycled {recycled} worker(s) during this section (`max_requests`).",
        "",
        f"| page | first {FIRST_SECONDS} s req/s | req/s | p50 ms | p99 ms | ceiling p99 ms "
        "| comments posted | target | met | each run |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for i, (label, _, _) in enumerate(rounds[0][0]):
        each = [rows[i] for rows, _ in rounds]
        if "Ceiling" in label:
            _, first, then = middle(each, lambda row: row[2]["p99"])
            shown = ", ".join(f"p99 {row[2]['p99']:.1f} ms" for row in each)
        else:
            _, first, then = middle(each, lambda row: row[2]["rps"] / row[1]["rps"])
            shown = ", ".join(f"{row[2]['rps'] / row[1]['rps']:.0%} of the first "
                              f"({row[2]['p99']:.0f} ms)" for row in each)
        checks = []
        if "Ceiling" not in label:
            checks.append((f"≥{SUSTAINED_KEPT:.0%} of the first {FIRST_SECONDS} s",
                           then["rps"] >= SUSTAINED_KEPT * first["rps"]))
        if "anonymous" in label:
            checks.append(("p99 ≤100 ms", then["p99"] <= 100))
        if "member" in label:
            checks.append((f"p99 ≤{SUSTAINED_MEMBER_P99:g}× the ceiling's",
                           then["p99"] <= SUSTAINED_MEMBER_P99 * ceiling_p99))
        lines.append(
            f"| {label}, {SUSTAINED_SECONDS} s | {first['rps']:,.0f} | {then['rps']:,.0f} | "
            f"{then['p50']:.1f} | {then['p99']:.1f} | {ceiling_p99:.1f} | — | "
            f"{judged(f'sustained: {label}', checks, then, failures)} | {shown} |")
    for i, (label, _, _) in enumerate(rounds[0][1]):
        # (the commented run, the same run's post without comments), by their p99s' ratio
        each = [(commented[i], next(row for row in rows if row[0] == label))
                for rows, commented in rounds]
        (_, then, answers), (_, _, without) = middle(
            each, lambda pair: pair[0][1]["p99"] / pair[1][2]["p99"])
        posted = answers.get(302, 0)
        checks = [(f"p99 ≤{COMMENTED_P99:g}× the row without comments",
                   then["p99"] <= COMMENTED_P99 * without["p99"]),
                  ("a comment posted each second", posted >= 0.9 * SUSTAINED_SECONDS)]
        told = ", ".join(f"{count:,} × {status}"
                         for status, count in sorted(answers.items(), key=str))
        shown = ", ".join(f"{c[1]['p99'] / w[2]['p99']:.2f}× ({c[1]['p99']:.0f} against "
                          f"{w[2]['p99']:.0f} ms)" for c, w in each)
        lines.append(
            f"| {label}, {SUSTAINED_SECONDS} s, a comment a second | — | {then['rps']:,.0f} | "
            f"{then['p50']:.1f} | {then['p99']:.1f} | {ceiling_p99:.1f} | {told} | "
            f"{judged(f'sustained, commented: {label}', checks, then, failures)} | {shown} |")
    return lines, failures


def splice_section(lines: list[str]) -> None:
    """Put a section measured alone into the report in place of its last measure, or
    else after the table of pages."""
    heading = lines[0]
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    day = datetime.date.today().isoformat()
    section = "\n".join([*lines, "", f"This section was measured on {day}, alone; the rest "
                         "of this page may be from an earlier `make bench`.", "", ""])
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
    else:
        at = text.find("\n## Mixed load")
        at = at if at != -1 else text.find("\n## ")
        text = (text[:at + 1] + section + text[at + 1:]) if at != -1 else (
            text + "\n" + section)
    REPORT.write_text(text)


AGAIN = "Measured again alone on"


def splice_rows(rows: list[str]) -> None:
    """Put the pages measured in a run of some of them (BENCH_ONLY) into the report's
    table of pages, each in place of its last measure or after the row before it in
    SCENARIOS, with a note below the table naming them and the day."""
    table = REPORT.read_text().splitlines()
    for i in [i for i, line in enumerate(table) if line.startswith(AGAIN)][::-1]:
        del table[i - 1:i + 1]  # the last such note, and the blank line before it
    labels = [label for label, *_ in SCENARIOS_ALL]
    for row in rows:
        label = row.split(" | ", 1)[0][2:]
        at = next((i for i, line in enumerate(table) if line.startswith(f"| {label} |")), None)
        if at is not None:
            table[at] = row
            continue
        earlier = labels[:labels.index(label)]
        at = max(i for i, line in enumerate(table)
                 if any(line.startswith(f"| {name} |") for name in earlier))
        table.insert(at + 1, row)
    end = max(i for i, line in enumerate(table)
              if any(line.startswith(f"| {name} |") for name in labels))
    note = (f"{AGAIN} {datetime.date.today().isoformat()}, with a ceiling "
            "of their own run: " + ", ".join(row.split(" | ", 1)[0][2:] for row in rows) + ".")
    table[end + 1:end + 1] = ["", note]
    REPORT.write_text("\n".join(table) + "\n")


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def main():
    env, notes = environment()
    started = time.monotonic()
    print("Preparing the database and the archive…")
    manage(env, "migrate", "--noinput", "-v0")
    seed_output = manage(env, "seed_bench", capture=True).strip()
    print(seed_output)
    manage(env, "collectstatic", "--noinput", "-v0")
    pairs = Path(tempfile.gettempdir()) / "intercessors-bench-pairs.txt"
    *_, read_prayers, member_session, post_pk = shell(
        env, PREPARE, str(pairs)).strip().splitlines()
    cookie = f"sessionid={member_session}"
    if ONLY == ["gunicorn"]:
        section = gunicorn_report(gunicorn_choices(env, cookie))
        if os.environ.get("BENCH_WRITE", "1") == "1":
            splice_section(section)
        print("\n".join(section))
        return
    sustained_lines = sustained_failures = reads_lines = reads_failures = []
    if not ONLY or "sustained" in ONLY:
        sustained_lines, sustained_failures = sustained_report(
            *sustained(env, pairs, cookie, post_pk))
    if not ONLY or "sustained" in ONLY or "reads" in ONLY:
        reads_lines, reads_failures = reads_report(read_counting(env, post_pk))
    if ONLY and set(ONLY) <= {"sustained", "reads"}:
        if os.environ.get("BENCH_WRITE", "1") == "1":  # 0: a trial, printed only
            for lines in (sustained_lines, reads_lines):
                if lines:
                    splice_section(lines)
        print("\n".join([*sustained_lines, "", *reads_lines]))
        if failures := sustained_failures + reads_failures:
            print(f"\nTargets not met: {', '.join(failures)}")
        return

    server = start_server(env)
    results = []
    try:
        sizes = {path: len(fetch(path)) for _, path, _, _, _ in SCENARIOS}
        for _, path, member, _, _ in SCENARIOS:  # warm up: one of each
            fetch(path, cookie if member else None)
        for label, path, member, ratio_target, p99_target in SCENARIOS:
            print(f"  {label} …", flush=True)
            # Every worker keeps its own renders: a short run first lets each make
            # its own, so the measured run sees the site as it runs all day.
            wrk(path, cookie=cookie if member else None, seconds=WARM_UP)
            time.sleep(2)  # let requests still queued from the warm-up finish first
            result = wrk(path, cookie=cookie if member else None)
            results.append((label, path, member, ratio_target, p99_target, result))
        mixed_results = mixed(pairs, read_prayers, cookie) if not ONLY or "mixed" in ONLY else []
        nginx, static_path = start_nginx(env)
        nginx_results = []
        if nginx:
            try:
                for label, path in [
                    ("nginx serving a static file (the machine's ceiling)", static_path),
                    ("Post, 50 comments, anonymous, through nginx's micro-cache",
                     "/articles/bench-post-00000/"),
                ]:
                    print(f"  {label} …", flush=True)
                    time.sleep(2)
                    nginx_results.append((label, wrk(path, base=NGINX_BASE)))
            finally:
                os.killpg(nginx.pid, signal.SIGTERM)
                nginx.wait(timeout=30)
        before_marks, before_sum = map(int, shell(env, COUNTS).split())
        print("  I Prayed POSTs from many members …", flush=True)
        time.sleep(3)
        prayed = wrk("/prayers/", script=ROOT / "tests" / "perf" / "prayed.lua",
                     extra_env={"BENCH_PAIRS": str(pairs)})
        after_marks, after_sum = map(int, shell(env, COUNTS).split())
    finally:
        stop_server(server)

    if ONLY and "mail" not in ONLY:  # a quick run of some pages: no mail rows
        mail = mailing = None
    else:
        print("  Mail: recording, and one worker sending …", flush=True)
        mail = mail_bench.measure(env)
        print("  Mail: the daily email to 100,000 subscribers …", flush=True)
        mailing = [mailing_bench.measure(env)]
        print("  Mail: the same on a machine busy with other work …", flush=True)
        mailing.append(mailing_bench.measure(env, loaded=True))
    if ONLY and "statements" not in ONLY:
        statements_result = None
    else:
        print("  Year-end statements: the January run for 10,000 partners …", flush=True)
        statements_result = statements_bench.measure(env)
    plans = json.loads(shell(env, PLANS).strip().splitlines()[-1])
    ceiling = results[0][5]["rps"]
    marks_per_second = (after_marks - before_marks) / SECONDS
    lines = [
        "# Benchmarks",
        "",
        f"Run on {datetime.date.today().isoformat()}; machine: {machine()}.",
        f"Database: {env['DATABASE_URL'].split('@')[-1].split('?')[0]}; "
        "gunicorn from `gunicorn.conf.py` (workers "
        f"{os.environ.get('GUNICORN_WORKERS', 'default')}, threads "
        f"{os.environ.get('GUNICORN_THREADS', 'default')}); debug off.",
        f"Load: `wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency` from a second process on "
        "127.0.0.1. Archive: 10,000 posts, 5,000 members, 1,000,000 marks on posts, "
        "100,000 prayer requests with 500,000 marks, a member with 5,000 marks "
        f"(`manage.py seed_bench`: {seed_output.splitlines()[-1].rstrip('.')}).",
        *[f"{note}" for note in notes],
        "",
        "Pages are rendered once and shared by every reader, member or not "
        "(`library/pages/pagecache.py`); each reader's own parts (header, \"You prayed\", "
        "live counts, forms and their tokens, a conversation they took part in, messages) "
        "are filled in per request (`library/pages/parts.py`). Each row is measured after "
        f"{WARM_UP} seconds of the same load.",
        "",
        "| page | req/s | p50 ms | p99 ms | vs ceiling | HTML KB | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    failures = []
    for label, path, _, ratio_target, p99_target, r in results:
        ratio = r["rps"] / ceiling if ceiling else 0
        checks = []
        if ratio_target:
            checks.append((f"≥{ratio_target:.0%} of ceiling", ratio >= ratio_target))
        if p99_target:
            checks.append((f"p99 <{p99_target} ms", (r["p99"] or 1e9) < p99_target))
        if "50 comments, anonymous" in label:
            checks.append(("HTML <40 KB", sizes[path] < 40 * 1024))
        lines.append(
            f"| {label} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {ratio:.0%} | "
            f"{sizes[path] / 1024:.1f} | {judged(label, checks, r, failures)} |"
        )
    counters_match = after_marks == after_sum
    for section in (sustained_lines, reads_lines):
        lines += ["", *section] if section else []
    failures += sustained_failures + reads_failures
    if mixed_results:
        lines += [
            "",
            f"## Mixed load: reads while {TRICKLE_PER_SECOND} prayers a second land on other posts",
            "",
            "| read | req/s | p99 ms | read alone, req/s | kept | prayers a second beside it "
            "(answers) | target | met |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
        ]
        for label, base, r, answers in mixed_results:
            kept = r["rps"] / base["rps"] if base["rps"] else 0
            ok = (kept >= MIXED_TARGET and not r["non2xx"]
                  and r["prayers"] >= 0.9 * TRICKLE_PER_SECOND)
            if not ok:
                failures.append(label)
            told = f"{r['prayers']:.1f} (" + ", ".join(
                f"{count:,} × {status}" for status, count in sorted(answers.items(), key=str)) + ")"
            lines.append(
                f"| {label} | {r['rps']:,.0f} | {r['p99']:.1f} | "
                f"{base['rps']:,.0f} | {kept:.0%} | {told} | "
                f"≥{MIXED_TARGET:.0%} of the read alone | {'yes' if ok else '**no**'} |")
    if nginx_results:
        lines += [
            "",
            "## Through nginx (`deploy/nginx/intercessors.conf`: static files and a "
            "5-second micro-cache)",
            "",
            "| page | req/s | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: |",
            *[f"| {label} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} |"
              for label, r in nginx_results],
        ]
    else:
        lines += ["", "nginx is not installed (Debian's `nginx`), so nothing was measured "
                  "through it."]
    lines += [
        "",
        "## I Prayed under load",
        "",
        f"{prayed['rps']:,.0f} POSTs/s (p50 {prayed['p50']:.1f} ms, p99 {prayed['p99']:.1f} ms); "
        f"{after_marks - before_marks:,} new marks in {SECONDS}s = **{marks_per_second:,.0f} "
        f"marks/s**, {marks_per_second / ceiling:.0%} of the ceiling (target ≥"
        f"{PRAYED_TARGET:.0%}). Marks afterwards: {after_marks:,}; sum of counters: "
        f"{after_sum:,} ({'equal' if counters_match else '**not equal**'}). "
        f"Non-2xx answers: {prayed['non2xx']:,}.",
        "",
        *(mail_bench.report(mail) if mail else []),
        "",
        *(mailing_bench.report(mailing) if mailing else []),
        "",
        *(statements_bench.report(statements_result) if statements_result else []),
        "",
        "## Query plans on the large archive (PostgreSQL `EXPLAIN`)",
        "",
        *[
            f"- {name}: "
            + ("**index scan**" if "Index" in plan else "**no index used**")
            + f" ({', '.join(sorted(set(INDEX_NAME.findall(plan))))})"
            for name, plan in plans.items()
        ],
        "",
        "## Commands",
        "",
        "```",
        "make bench            # DATABASE_URL=postgres://… for PostgreSQL",
        *[r[5]["command"] for r in results[:2]],
        prayed["command"],
        "```",
        "",
        f"Whole run: {time.monotonic() - started:.0f}s.",
    ]
    if marks_per_second < PRAYED_TARGET * ceiling or not counters_match:
        failures.append("I Prayed")
    if mail and (mail["record"]["added"] > 2 or mail["rate"] < 200):
        failures.append("Mail")
    if statements_result and "**no**" in statements_bench.report(statements_result)[-1]:
        failures.append("Year-end statements")
    if not ONLY:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text("\n".join(lines) + "\n")
    elif os.environ.get("BENCH_WRITE", "1") == "1":
        splice_rows([line for line in lines if line.startswith("| ")
                     and any(line.startswith(f"| {label} |") for label, *_ in SCENARIOS[1:])])
    print("\n".join(lines))
    if failures:
        print(f"\nTargets not met: {', '.join(failures)}")


if __name__ == "__main__":
    main()
