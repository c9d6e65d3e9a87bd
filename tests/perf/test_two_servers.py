"""Two app servers on one database and one cache behave as one site: a session
made on one is valid on the other, and a rate limit counted on one holds on the other."""
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.factories import DEFAULT_PASSWORD, make_member
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
# Behind a load balancer every server is reached by the site's one name; allauth's
# rate-limit keys include it, so the test sends it to both servers too.
SITE_HOST = "intercessors.test"


def redis_url():
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", 6379)) == 0:
            return "redis://127.0.0.1:6379/9"
    return ""


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "intercessors.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"127.0.0.1,{SITE_HOST}",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url(),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    if env["REDIS_URL"]:
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # rate-limit windows from earlier runs
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


class Browser:
    """Just enough of a browser: cookies, redirects, and the CSRF field."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        try:
            request = urllib.request.Request(url, headers={"Host": SITE_HOST})
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, url, error.read().decode()

    def post(self, url, fields, page):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        try:
            request = urllib.request.Request(url, data=data, headers={"Host": SITE_HOST})
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, url, error.read().decode()


@pytest.mark.serial  # two gunicorns under load: timings it measures need the machine
@pytest.mark.postgres_pass
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Two servers need a database both can open; CI runs this on PostgreSQL.",
)
def test_two_servers_share_sessions_and_rate_limits(two_servers):
    first, second = two_servers
    member = make_member(email="shared@example.org", display_name="Shared Member")
    # The servers run production settings, whose hashers the suite's fast one is not among.
    member.password = PBKDF2PasswordHasher().encode(DEFAULT_PASSWORD, "twoserverssalt")
    member.save()
    browser = Browser()
    _, _, page = browser.get(f"{first}/accounts/login/")
    status, _, _ = browser.post(
        f"{first}/accounts/login/", {"login": "shared@example.org", "password": DEFAULT_PASSWORD},
        page,
    )
    assert status == 200
    status, url, page = browser.get(f"{second}/accounts/profile/")
    assert status == 200 and url.endswith("/accounts/profile/") and "Shared Member" in page

    # The partner form allows 5 sign-ups an hour from one address, counted across servers.
    reader = Browser()
    fields = {"amount_choice": "50", "frequency": "monthly", "first_name": "Ann",
              "last_name": "Lee", "email": "", "website": ""}
    for i in range(5):
        server = (first, second)[i % 2]
        _, _, page = reader.get(f"{server}/partner/")
        status, _, _ = reader.post(
            f"{server}/partner/", {**fields, "email": f"a{i}@example.org"}, page
        )
        assert status == 200, i  # the thanks page, after the redirect
    _, _, page = reader.get(f"{second}/partner/")
    status, _, body = reader.post(f"{second}/partner/", {**fields, "email": "a6@example.org"},
                                  page)
    assert status == 429 and "several pledges" in body

    # Failed log-ins (allauth: 5 per account in 5 minutes) are counted across servers too.
    guesser = Browser()
    for i in range(5):
        server = (first, second)[i % 2]
        _, _, page = guesser.get(f"{server}/accounts/login/")
        _, _, body = guesser.post(f"{server}/accounts/login/",
                                  {"login": "shared@example.org", "password": f"guess-{i}"}, page)
        assert "not correct" in body
    _, _, page = guesser.get(f"{first}/accounts/login/")
    _, _, body = guesser.post(f"{first}/accounts/login/",
                              {"login": "shared@example.org", "password": DEFAULT_PASSWORD}, page)
    assert "Too many failed login attempts" in body
