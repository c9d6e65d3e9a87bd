"""/healthz: 503 only with the database away; "degraded" with a 200 when Redis or
the job worker is behind, so no web server leaves the pool for either."""
import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import time_machine
from django.utils import timezone

from library.models import OutboxMessage
from tests.factories import make_job_run

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code)
print(response.content.decode())
"""


def test_health_ok(client, db):
    make_job_run(minutes_ago=1)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_degraded_not_down_once_the_worker_stops(client, db):
    make_job_run()
    assert client.get("/healthz").json()["status"] == "ok"
    with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=50)):
        assert client.get("/healthz").json()["status"] == "ok"
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=10)):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded", "database": "ok", "cache": "ok",
        "worker": "no job has started for more than 5 minutes",
    }


def test_health_is_degraded_before_any_worker_has_run_a_job(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"].startswith("no job has run yet")


def _waiting_mail(*, due_minutes_ago, **extra):
    return OutboxMessage.objects.create(
        kind="accounts/email/password_reset_key", to="someone@example.org", subject="Reset",
        from_email="hello@example.org", message_id=f"<{due_minutes_ago}-{extra}@example.org>",
        next_try_at=timezone.now() - timedelta(minutes=due_minutes_ago), **extra)


def test_health_is_degraded_while_mail_waits_more_than_15_minutes(client, db):
    make_job_run()  # jobs run, yet the mail does not leave
    _waiting_mail(due_minutes_ago=14)
    _waiting_mail(due_minutes_ago=60, status=OutboxMessage.Status.SENT)
    _waiting_mail(due_minutes_ago=60, status=OutboxMessage.Status.FAILED)
    assert client.get("/healthz").json()["worker"] == "ok"

    _waiting_mail(due_minutes_ago=16)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "ok",
                               "worker": "mail has waited more than 15 minutes"}


def test_health_gives_every_reason_the_work_is_behind(client, db):
    make_job_run(minutes_ago=30)
    _waiting_mail(due_minutes_ago=20)
    assert client.get("/healthz").json()["worker"] == (
        "no job has started for more than 5 minutes; mail has waited more than 15 minutes")


def test_health_rejects_post(client, db):
    assert client.post("/healthz").status_code == 405


def with_database_down(script):
    """Run `script` in production settings against a real outage: nothing listens on
    port 9, so every connection is refused."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="intercessors.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_HTTPS="0",
        DJANGO_PAGE_CACHE="0",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
        REDIS_URL="",
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )


def test_health_503_when_database_is_down():
    result = with_database_down(PROBE)
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503", result.stderr
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable"}
    assert "Traceback" not in result.stdout


PAGE_PROBE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
home = client.get("/")
post = client.post("/comments/post/", {"body": "My words, kept", "target": "articles.article",
                                       "object_id": "1"})
print(home.status_code, post.status_code)
print("try again" in home.content.decode(), "My words, kept" in post.content.decode())
"""


def test_pages_answer_503_with_the_text_kept_while_the_database_is_away():
    result = with_database_down(PAGE_PROBE)
    lines = result.stdout.strip().splitlines()
    assert lines[-2:] == ["503 503", "True True"], result.stdout + result.stderr[-2000:]
