import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

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
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


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
