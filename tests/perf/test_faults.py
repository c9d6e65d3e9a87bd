"""Faults under load, with nothing lost: gunicorn (2 workers) serves members who
comment and click "I Prayed" while PostgreSQL restarts, or while a worker is killed.
Every success has its row, every failure is a clear 503 (never a 500), counters
equal rows, and the site recovers by itself. Loopback only; bounded in time."""
import http.client
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from comments.models import Comment
from prayers.models import Prayer, PrayerMark
from tests.factories import make_article, make_member, make_prayer
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 8

# It restarts PostgreSQL: nothing else may run meanwhile.
pytestmark = [pytest.mark.serial, pytest.mark.postgres_pass, pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Restarting the database needs the local PostgreSQL cluster; CI runs this on it.",
)]


class Load:
    """Members posting comments and clicking "I Prayed" from several threads."""

    def __init__(self, port, members, prayers, post):
        self.port, self.members, self.prayers, self.post = port, members, prayers, post
        self.results = []  # (kind, status, detail)
        self.lock = threading.Lock()
        # Each member writes one comment, at some moment of the run.
        self.pending_comments = list(members)
        random.shuffle(self.pending_comments)

    def request(self, path, body, cookie, accept="text/html"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", path, body=body, headers={
                "Cookie": cookie, "X-CSRFToken": "x" * 32,
                "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
                "Origin": f"http://127.0.0.1:{self.port}",
            })
            response = conn.getresponse()
            return response.status, response.getheader("Location") or "", response.read()
        # Connection refused or reset, or a worker killed in the middle of its answer:
        # no answer at all.
        except (OSError, http.client.HTTPException) as error:
            return 0, "", str(error).encode()
        finally:
            conn.close()

    def run(self, deadline):
        rng = random.Random()
        while time.monotonic() < deadline:
            with self.lock:
                member = (
                    self.pending_comments.pop()
                    if self.pending_comments and rng.random() < 0.1
                    else None
                )
            if member is not None:
                text = f"fault-test comment {secrets.token_hex(6)}"
                body = (f"target=articles.article&object_id={self.post.pk}&body="
                        + text.replace(" ", "+"))
                status, location, content = self.request("/comments/post/", body, member[1])
                self.record("comment", status, (text, location, content))
            else:
                member = rng.choice(self.members)
                prayer = rng.choice(self.prayers)
                status, _, content = self.request(
                    f"/prayers/{prayer}/prayed/", "", member[1], accept="application/json"
                )
                self.record("prayed", status, (member[0], prayer, content))

    def record(self, kind, status, detail):
        with self.lock:
            self.results.append((kind, status, detail))


def session_cookie(member):
    client = Client()
    client.force_login(member)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={'x' * 32}"


@pytest.fixture
def site(transactional_db, tmp_path):
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "intercessors.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # so the suite's sessions are valid
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": "",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_PAGE_CACHE": "0",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    members = []
    for _ in range(40):
        member = make_member()
        members.append((member.pk, session_cookie(member)))
    post = make_article()
    prayers = [post.prayer.pk] + [make_prayer(text=f"Father, we pray {i}.").pk for i in range(30)]
    app_port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{app_port}", "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(app_port, 30)
        yield Load(app_port, members, prayers, post), server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        connections.close_all()


def wait_healthy(port, timeout):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the site did not recover within {timeout}s")


def drive(load, fault, fault_after=3.0):
    deadline = time.monotonic() + RUN_SECONDS
    threads = [threading.Thread(target=load.run, args=(deadline,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(fault_after)
    fault()
    for thread in threads:
        thread.join(timeout=RUN_SECONDS + 30)
    connections.close_all()  # the suite's own connection died with the restart


def check_nothing_lost(load):
    statuses = {}
    for kind, status, _ in load.results:
        statuses[(kind, status)] = statuses.get((kind, status), 0) + 1
    assert not any(status >= 500 and status != 503 for _, status in statuses), statuses
    # Every comment the site said it saved is there; every refusal was a clear 503.
    saved = [d for k, s, d in load.results if k == "comment" and s == 302]
    for text, location, _ in saved:
        comment_id = int(re.search(r"#comment-(\d+)$", location).group(1))
        assert Comment.objects.filter(pk=comment_id, body=text).exists(), text
    for kind, status, detail in load.results:
        if status == 503:
            page = detail[-1].decode()
            assert "try again" in page
            if kind == "comment":
                assert detail[0] in page  # the member's text comes back
                # …and "we couldn't save that" is true: it is not in the database.
                assert not Comment.objects.filter(body=detail[0]).exists(), detail[0]
    # Every mark the site confirmed is there, and every counter equals its rows.
    for member_id, prayer_id, _ in (d for k, s, d in load.results if k == "prayed" and s == 200):
        assert PrayerMark.objects.filter(user_id=member_id, prayer_id=prayer_id).exists()
    for prayer in Prayer.objects.all():
        assert prayer.prayed_count == prayer.marks.count(), prayer.pk
    return statuses, len(saved)


def test_database_restart_mid_load_loses_nothing(site):
    load, _ = site
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    restart = {}

    def restart_database():
        began = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                        "restart", "-m", "fast"], check=True, timeout=60)
        restart["took"] = time.monotonic() - began
        restart["recovered"] = wait_healthy(load.port, 20)

    drive(load, restart_database)
    statuses, saved = check_nothing_lost(load)
    print(f"\nDATABASE RESTART: {len(load.results)} requests, outcomes {statuses}, "
          f"{saved} comments saved, restart took {restart['took']:.1f}s, site healthy "
          f"{restart['recovered']:.1f}s after it")
    assert restart["recovered"] < 15
    assert sum(1 for _, s, _ in load.results if s in (200, 302)) > 0


def test_killing_a_worker_mid_load_loses_nothing(site):
    load, server = site

    def kill_a_worker():
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                 text=True).stdout.split()
        os.kill(int(workers[0]), signal.SIGKILL)

    drive(load, kill_a_worker)
    statuses, saved = check_nothing_lost(load)
    print(f"\nWORKER KILLED: {len(load.results)} requests, outcomes {statuses}, "
          f"{saved} comments saved")
    assert wait_healthy(load.port, 15) < 15
