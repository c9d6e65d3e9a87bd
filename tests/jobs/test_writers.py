"""Members write while the worker sends: the site (gunicorn) and a worker on one
database, SQLite included. Nobody meets "database is locked" (a 503)."""
import http.client
import os
import re
import signal
import subprocess
import sys
import threading

import pytest
from django.test import Client

from comments.models import Comment
from library.models import OutboxMessage
from tests.factories import make_article, make_comment, make_member
from tests.jobs.conftest import ROOT, site_env, wait_until
from tests.jobs.test_delivery import record
from tests.net import free_port
from tests.perf.test_faults import wait_healthy


@pytest.fixture
def site(workers, mail_server, tmp_path):
    env = site_env(mail_server.url, DJANGO_STATIC_ROOT=str(tmp_path / "static"),
                   DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(port, 30)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def cookie_for(member) -> str:
    client = Client()
    client.force_login(member)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={'x' * 32}"


def post_reply(port, cookie, post, parent, text):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = (f"target=articles.article&object_id={post.pk}&parent={parent.pk}&body="
                + text.replace(" ", "+"))
        conn.request("POST", "/comments/post/", body=body, headers={
            "Cookie": cookie, "X-CSRFToken": "x" * 32, "Origin": f"http://127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
        })
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def at_once(calls):
    """Run the calls on threads released together; their results, in order."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(n, call):
        start.wait()
        results[n] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_members_post_while_the_worker_sends_and_nobody_meets_a_locked_database(
    site, workers, mail_server
):
    post = make_article()
    ruth = make_member(email="ruth@example.org")
    parent = make_comment(target=post, author=ruth)
    members = [make_member() for _ in range(12)]
    cookies = [cookie_for(m) for m in members]
    # A mailing already going out: the worker writes "sent" as members post.
    mail_server.inbox.delay = 0.005
    backlog = record(f"reader{n}@example.org" for n in range(200))
    workers()
    assert wait_until(lambda: len(mail_server.inbox.ids()) >= 5, 30)

    results = at_once([
        lambda c=c, n=n: post_reply(site, c, post, parent, f"Praying along, friend {n}")
        for n, c in enumerate(cookies)
    ])
    assert [status for status, _ in results] == [302] * 12, [
        (s, re.sub(r"\s+", " ", page)[:300]) for s, page in results if s != 302]

    # One member sends the same form four times at once: one is saved, the others
    # are asked to wait (the flood rule), none fails.
    naomi = cookie_for(make_member())
    results = at_once([lambda n=n: post_reply(site, naomi, post, parent, f"Twice {n}")
                       for n in range(4)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 429, 429, 429], statuses
    assert all("Please wait" in page for status, page in results if status == 429)

    assert Comment.objects.filter(parent=parent).count() == 13
    # Every reply's mail and the whole mailing went out, each once.
    expected = len(backlog) + 13
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == expected,
                      60)
    received = mail_server.inbox.wait_for(expected, 10)
    assert len(received) == expected == len({m["Message-ID"] for m in received})
    assert sum(m["To"] == "ruth@example.org" for m in received) == 13
