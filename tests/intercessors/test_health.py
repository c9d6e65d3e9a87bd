"""/healthz: 503 only with the database away; "degraded" with a 200 when Redis or
the job worker is behind, so no web server leaves the pool for either."""
import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
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


@pytest.mark.parametrize("host", ["10.0.0.11", "127.0.0.1:8403", "[fd00::11]:8000", "evil.example"])
def test_health_answers_a_load_balancer_whatever_host_it_names(client, db, host, caplog):
    """A balancer asks each server by its private address, which is no name of the
    site: the check answers before the host check, and logs no error."""
    make_job_run(minutes_ago=1)
    with caplog.at_level("WARNING"):
        response = client.get("/healthz", HTTP_HOST=host)
        head = client.head("/healthz", HTTP_HOST=host)
    assert response.status_code == 200 and head.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not [r for r in caplog.records if r.levelname in {"WARNING", "ERROR"}], caplog.text
    if host != "127.0.0.1:8403":  # the suite's own allowed hosts include 127.0.0.1
        # Any other page asked for by that name is still refused.
        assert client.get("/", HTTP_HOST=host).status_code == 400


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[])
def test_health_is_answered_over_plain_http_behind_an_https_site(client, db):
    make_job_run(minutes_ago=1)
    assert client.get("/healthz", HTTP_HOST="10.0.0.11").status_code == 200
    assert client.get("/about/").status_code == 301  # the rest still moves to HTTPS


def test_a_balancer_sees_the_database_outage_as_503_naming_nothing():
    """503 by the server's own address too, with no address, port or error in it."""
    result = with_database_down(PROBE.replace('get("/healthz")',
                                              'get("/healthz", HTTP_HOST="10.0.0.11")'))
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503", result.stderr
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable"}
    assert "DisallowedHost" not in result.stderr
