"""The rehearsal: the deployment that docs/deploy.md draws, on 127.0.0.1 with the
files `deploy/` ships. nginx balances two gunicorn servers; both, and two job
workers, reach PostgreSQL through PgBouncer in transaction mode and share one
Redis, an S3-compatible object store and a mail server. Under a steady load of
readers, members pressing "I Prayed", comments, sign-ups (each with its mail)
and a photo upload, each web server and each worker is restarted in turn, then
one worker is killed outright. Nothing a reader or member sees may fail, nothing
a member was told was saved may be lost, and every mail goes exactly once.

It takes about half a minute, because that is what a rolling restart under load
takes; it is the only test that runs every part of a production deployment
together. It runs once, in the PostgreSQL pass, beside other tests: every part has
ports of its own, and what it checks (answers, rows, mails) does not depend on
how busy the machine is."""
import http.client
import json
import os
import random
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ

from accounts.models import User
from comments.models import Comment
from library.models import OutboxMessage
from prayers.models import Prayer, PrayerMark
from tests.articles.test_admin import article_form
from tests.articles.test_uploads import phone_photo
from tests.deploy.parts import ROOT, JobWorker, Nginx, PgBouncer, WebServer
from tests.factories import make_article, make_member, make_prayer
from tests.jobs.smtp import MailServer
from tests.net import free_port
from tests.redis_servers import PrivateRedis
from tests.s3_server import CREDENTIALS as S3_CREDENTIALS
from tests.s3_server import REGION as S3_REGION
from tests.s3_server import PrivateS3

pytestmark = [
    pytest.mark.postgres_pass,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="PgBouncer pools PostgreSQL connections; CI runs this on it."),
]
TOOLS = ("nginx", "pgbouncer", "openssl", "redis-server")

SITE = "intercessors.test"
CSRF = "x" * 32
LOAD_THREADS = 6
STOP_LIMIT = 10  # seconds from SIGTERM to the group's end
JOBS_RETRY = 14  # seconds before a job a killed worker held is handed out again


class Load:
    """Readers, members and newcomers on the site through the load balancer, from
    several threads, each request on a connection of its own."""

    def __init__(self, port, *, members, prayers, pages, post_pk):
        self.port, self.members, self.prayers, self.pages = port, members, prayers, pages
        self.post_pk = post_pk
        self.results = []  # (kind, status, detail)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method, path, *, body=None, cookie="", headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30,
                                           context=self.context)
        try:
            conn.request(method, path, body=body, headers={
                "Host": SITE, "Cookie": cookie, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.getheader("Location") or "", response.read()
        except (OSError, http.client.HTTPException) as error:
            return 0, "", str(error).encode()  # no answer at all
        finally:
            conn.close()

    def post(self, path, fields, cookie, accept="text/html"):
        return self.request("POST", path, body=urlencode(fields), cookie=cookie, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
            "Origin": f"https://{SITE}", "X-CSRFToken": CSRF})

    def record(self, kind, status, detail):
        with self.lock:
            self.results.append((kind, status, detail))

    def run(self):
        rng = random.Random()
        while not self.stop.is_set():
            roll = rng.random()
            if roll < 0.5:
                path = rng.choice(self.pages)
                status, _, _ = self.request("GET", path)
                self.record("read", status, path)
            elif roll < 0.9:
                member_id, cookie = rng.choice(self.members)
                prayer = rng.choice(self.prayers)
                status, _, content = self.post(f"/prayers/{prayer}/prayed/", {}, cookie,
                                               accept="application/json")
                self.record("prayed", status, (member_id, prayer))
            else:
                _, cookie = rng.choice(self.members)
                text = f"Rehearsal comment {secrets.token_hex(6)}"
                status, location, _ = self.post("/comments/post/", {
                    "target": "articles.article", "object_id": self.post_pk, "body": text,
                }, cookie)
                self.record("comment", status, (text, location))
            time.sleep(rng.uniform(0, 0.05))

    def newcomers(self):
        """One sign-up every 2.5 s, each with its mail, so that mail is on its way
        while workers stop (allauth allows 20 a minute from one address)."""
        while not self.stop.wait(2.5):
            name = secrets.token_hex(5)
            address = f"newcomer-{name}@example.org"
            password = secrets.token_urlsafe(12)
            status, location, _ = self.post("/accounts/signup/", {
                "csrfmiddlewaretoken": CSRF, "email": address, "password1": password,
                "password2": password, "display_name": f"Friend {name}",
            }, f"csrftoken={CSRF}")
            self.record("signup", status, (address, location))

    def upload_photo(self, cookie, photo):
        """Staff post an excerpt with a photo through Django admin."""
        boundary = secrets.token_hex(16)
        fields = {**article_form(slug="rehearsal-photo", title="A post with a photo"),
                  "csrfmiddlewaretoken": CSRF, "photo_alt": "A field of wheat"}
        parts = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                             f"\r\n\r\n{item}\r\n".encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                     f'filename="wheat.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                     + photo + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", "/admin/articles/article/add/", body=b"".join(parts),
                            cookie=cookie, headers={
                                "Content-Type": f"multipart/form-data; boundary={boundary}",
                                "Origin": f"https://{SITE}"})


def session_cookie(member) -> str:
    client = Client()
    client.force_login(member)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"


def direct_get(port, path):
    """A page from one app server itself, past the balancer (which trusts the proxy's
    X-Forwarded-Proto from 127.0.0.1)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": SITE, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_healthy(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = direct_get(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server on {port} did not come back within {timeout}s")


@pytest.fixture
def deployment(transactional_db):
    """Every part, started in order; each stops at the end whatever happened."""
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        reason = f"the rehearsal needs Debian's {', '.join(missing)} (.ci/run installs them)"
        if os.environ.get("E2E_REQUIRED") == "1":  # CI: every tool it installs must be there
            pytest.fail(reason)
        pytest.skip(reason)
    db = connection.settings_dict
    started = time.monotonic()
    # A folder every part can read: PgBouncer runs as `nobody` when the suite is root.
    folder = Path(tempfile.mkdtemp(prefix="intercessors-rehearsal-"))
    folder.chmod(0o755)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        stack.callback(connections.close_all)
        mail = MailServer(free_port())
        mail.start()
        stack.callback(mail.stop)
        redis = PrivateRedis()
        stack.callback(redis.stop)
        s3 = PrivateS3()
        stack.callback(s3.stop)
        bucket = s3.new_bucket(public_prefix="media")
        user = db["USER"] or "postgres"
        bouncer = stack.enter_context(PgBouncer(folder, database=db["NAME"], user=user,
                                                password="rehearsal"))
        env = {
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "intercessors.settings",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the suite's sessions are valid there
            "DJANGO_ALLOWED_HOSTS": SITE,
            "SITE_URL": f"https://{SITE}",
            "DJANGO_BEHIND_PROXY": "1",
            "DATABASE_URL": f"postgres://{user}:rehearsal@127.0.0.1:{bouncer.port}/intercessors",
            "DATABASE_TRANSACTION_POOLING": "1",
            "REDIS_URL": redis.url,
            "PAGE_CACHE_URL": redis.url.removesuffix("/0") + "/1",
            "EMAIL_URL": mail.url,
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "MEDIA_STORAGE_URL": f"s3://{bucket}/media?endpoint_url={s3.endpoint}"
                                 f"&region={S3_REGION}",
            "MEDIA_PUBLIC_URL": f"https://{SITE}/",
            **S3_CREDENTIALS,
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "JOBS_WORKERS": "2",
            "JOBS_TIMEOUT": "8",
            "JOBS_RETRY": str(JOBS_RETRY),
            "JOBS_POLL": "0.2",
            "OUTBOX_LEASE": "12",
            "OUTBOX_RETRY_AFTER": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        # The release, as on each server: migrations checked (none wait: the suite's
        # database is migrated) and static files collected outside the code.
        release = subprocess.run([sys.executable, "manage.py", "release"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert release.returncode == 0, release.stdout + release.stderr
        webs = [stack.enter_context(WebServer(f"web-{n}", folder, env)) for n in "ab"]
        workers = [stack.enter_context(JobWorker(f"worker-{n}", folder, env)) for n in (1, 2)]
        nginx = stack.enter_context(Nginx(folder, app_ports=[w.port for w in webs],
                                          server_name=SITE, extra_changes={
            "https://intercessors-photos.s3.us-east-1.amazonaws.com/media/":
                f"{s3.endpoint}/{bucket}/media/"}))
        for web in webs:
            wait_healthy(web.port)
        yield {"mail": mail, "webs": webs, "workers": workers, "nginx": nginx,
               "started": started, "release": release.stdout, "s3": s3, "bucket": bucket}


def test_rolling_restarts_under_load_lose_nothing(deployment, record_property):
    d = deployment
    webs, workers, nginx, mail = d["webs"], d["workers"], d["nginx"], d["mail"]
    members = [make_member() for _ in range(40)]
    editor = make_member(display_name="Ed Itor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    post = make_article()
    prayers = [post.prayer.pk] + [make_prayer(text=f"Father, we pray {i}.").pk
                                  for i in range(20)]
    load = Load(nginx.port, members=[(m.pk, session_cookie(m)) for m in members],
                prayers=prayers, post_pk=post.pk,
                pages=["/", f"/articles/{post.slug}/", "/states/", "/prayers/requests/"])

    threads = [threading.Thread(target=load.run, daemon=True) for _ in range(LOAD_THREADS)]
    threads.append(threading.Thread(target=load.newcomers, daemon=True))
    for thread in threads:
        thread.start()
    photo_status, photo_location, _ = load.upload_photo(session_cookie(editor), phone_photo())

    stops = {}
    for web in webs:
        time.sleep(2)
        stops[web.name] = web.stop()
        web.start()
        wait_healthy(web.port)
    stopped_by_force = {}
    for worker in workers:
        time.sleep(2)
        offset = worker.log_size()
        stops[worker.name] = worker.stop()
        # Stopped in order: each job finished or given back, nothing left to kill.
        stopped_by_force[worker.name] = [line for line in worker.log_since(offset).splitlines()
                                         if "killed" in line]
        worker.start()
    time.sleep(2)
    workers[0].stop(sig=9)  # its machine died: no time to finish or give back
    killed_at = time.monotonic()
    workers[0].start()
    time.sleep(3)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    load_ended = time.monotonic()

    # Every mail recorded is handed over, once: the killed worker's lease runs out.
    # Every mail recorded is handed over: the killed worker's lease runs out.
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and OutboxMessage.objects.filter(
            status=OutboxMessage.Status.WAITING).exists():
        time.sleep(0.5)
    # Both workers stop in order: what they held goes back to the queue at once, so
    # once the killed worker's jobs are due again (JOBS_RETRY) none is held.
    for worker in workers:
        offset = worker.log_size()
        stops[f"{worker.name} at the end"] = worker.stop()
        stopped_by_force[f"{worker.name} at the end"] = [
            line for line in worker.log_since(offset).splitlines() if "killed" in line]
    time.sleep(max(0.0, killed_at + JOBS_RETRY - time.monotonic()))
    jobs_held = OrmQ.objects.filter(lock__gt=timezone.now()).count()
    recorded = list(OutboxMessage.objects.values_list("message_id", "status"))
    delivered = Counter(mail.inbox.ids())

    statuses = Counter((kind, status) for kind, status, _ in load.results)
    server_errors = {key: n for key, n in statuses.items() if key[1] >= 500 or key[1] == 0}
    acknowledged = {detail for kind, status, detail in load.results
                    if kind == "prayed" and status == 200}
    marks = set(PrayerMark.objects.filter(prayer_id__in=prayers)
                .values_list("user_id", "prayer_id"))
    comments_saved = [detail for kind, status, detail in load.results
                      if kind == "comment" and status == 302]
    signups = [detail for kind, status, detail in load.results
               if kind == "signup" and status == 302]

    # The photo on the page as each server renders it, read through the balancer
    # from the object store: the bytes the bucket holds.
    in_bucket = d["s3"].objects(d["bucket"])
    photo_urls, photo_served = {}, {}
    for web in webs:
        status, page = direct_get(web.port, "/articles/rehearsal-photo/")
        assert status == 200, page[:300]
        url = re.search(rf'<img[^>]+src="https://{SITE}(/media/[^"]+)"'.encode(), page)
        assert url, page[:2000]
        photo_urls[web.name] = url.group(1).decode()
        status, _, body = load.request("GET", photo_urls[web.name])
        key = photo_urls[web.name].removeprefix("/")
        photo_served[web.name] = (status == 200 and key in in_bucket
                                  and body == d["s3"].read(d["bucket"], key))

    report = {
        "requests": len(load.results),
        "by kind and status": {f"{k} {s}": n for (k, s), n in sorted(statuses.items())},
        "5xx or no answer at the balancer": sum(server_errors.values()),
        "sent on to the other server by nginx": sum(
            1 for answers in nginx.upstream_answers() if "," in answers),
        "I Prayed acknowledged": len(acknowledged),
        "marks recorded": len(marks & {(m.pk, p) for m in members for p in prayers}),
        "comments saved": len(comments_saved),
        "sign-ups": len(signups),
        "mails recorded": len(recorded),
        "mails delivered": sum(delivered.values()),
        "mails delivered twice": sum(1 for n in delivered.values() if n > 1),
        "photo upload": photo_status,
        "photo on each server": photo_urls,
        "photo served from the bucket through nginx": photo_served,
        "objects in the bucket": len(in_bucket),
        "seconds to stop (SIGTERM to the group)": {k: round(v, 1) for k, v in stops.items()},
        "workers' processes killed at the deadline": stopped_by_force,
        "jobs still held once every worker stopped": jobs_held,
        "seconds in all": round(time.monotonic() - d["started"], 1),
        "seconds of load": round(load_ended - d["started"], 1),
    }
    # Printed at the end of the run, passed or failed (tests/conftest.py).
    record_property("summary", "REHEARSAL " + json.dumps(report, indent=2))

    assert not server_errors, report
    assert photo_status == 302, report
    assert acknowledged == marks, report
    for prayer in Prayer.objects.filter(pk__in=prayers):
        assert prayer.prayed_count == prayer.marks.count(), prayer.pk
    for text, location in comments_saved:
        comment_id = int(re.search(r"#comment-(\d+)$", location).group(1))
        assert Comment.objects.filter(pk=comment_id, body=text).exists(), text
    for address, _ in signups:
        assert User.objects.filter(email=address).exists(), address
    assert len(signups) >= 5, report
    assert all(status == OutboxMessage.Status.SENT for _, status in recorded), report
    assert Counter(dict.fromkeys((mid for mid, _ in recorded), 1)) == delivered, report
    assert all(t <= STOP_LIMIT for t in stops.values()), report
    assert not any(stopped_by_force.values()), report
    assert jobs_held == 0, report
    assert len(set(photo_urls.values())) == 1, report
    assert all(photo_served.values()), report
