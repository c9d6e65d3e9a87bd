"""A gunicorn worker that restarts (recycled after its requests, a deploy, a crash)
finds the renders the workers before it made, in the store they share on the
server, and serves them without rendering again. A real gunicorn with the site's
settings, recycling its one worker after every second request: about 4 s, the only
way to see a new process find what an old one kept."""
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import make_article, make_comment, make_member
from tests.net import free_port
from tests.processes import database_url, stop_group

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.postgres_pass


def get(port: int, path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("X-Page-Cache", ""), response.read().decode()
    finally:
        connection.close()


def booted(log: Path) -> list[str]:
    return re.findall(r"Booting worker with pid: (\d+)", log.read_text())


def test_a_restarted_worker_serves_the_renders_kept_before_it(transactional_db, tmp_path):
    post = make_article(title="A town rebuilding after the storm")
    make_comment(target=post, author=make_member(display_name="Ruth A."),
                 body="Praying for every family there.")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "intercessors.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "PAGE_CACHE_URL": "",
        "PAGE_CACHE_DIR": str(tmp_path / "pages"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_LOG_LEVEL": "INFO",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--max-requests", "2",
         "--max-requests-jitter", "0"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while len(booted(log)) < 1:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        url = post.get_absolute_url()
        status, first, html = get(port, url)
        assert (status, first) == (200, "miss") and "Praying for every family there." in html
        assert get(port, url)[:2] == (200, "hit")  # its second request: it then restarts
        while len(booted(log)) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        status, how, again = get(port, url)
        assert (status, how) == (200, "hit"), log.read_text()
        assert again == html
        assert len(set(booted(log))) == 2  # served by a new process
    finally:
        stop_group(server)
