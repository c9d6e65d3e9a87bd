"""Error reports (library.web.errors): what reaches Sentry or GlitchTip, read from
the envelope the SDK posts to a server of our own on this machine."""
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings
from django.test import Client

from library.web.errors import before_send, init_errors
from tests.factories import make_member
from tests.intercessors.test_settings import ROOT

EMAIL = "hidden.person@example.org"
PASSWORD = "correct-horse-battery"
PRAYER = "Please pray for my sister in hospital"


class Envelopes(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Envelopes)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    init_errors(f"http://key@127.0.0.1:{server.server_port}/1",
                        release="test", environment="tests")
    try:
        yield server
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)  # no reports from later tests
        server.shutdown()
        server.server_close()


def events(received):
    """The event items of the envelopes received."""
    found = []
    for path, body in received:
        assert path == "/api/1/envelope/"
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append((payload, json.loads(payload)))
    return found


@pytest.mark.django_db
@pytest.mark.urls("tests.library.web.urls_failing")
def test_an_error_reaches_sentry_with_its_request_id_and_nothing_personal(sentry_server):
    member = make_member(email=EMAIL, password=PASSWORD)
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    client.force_login(member)
    client.cookies["csrftoken"] = "csrf-cookie-value-0123456789"
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(
        f"/test-failing/?email={EMAIL}", {"body": PRAYER, "password": PASSWORD,
                                          "csrfmiddlewaretoken": "csrf-form-value-98765"},
        headers={"X-CSRFToken": "csrf-header-value-5555", "Referer": f"http://x/?to={EMAIL}"})
    sentry_sdk.flush(timeout=5)

    assert response.status_code == 500
    [(raw, event)] = events(sentry_server.received)
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["release"] == "test" and event["environment"] == "tests"
    assert event.get("user", {}).keys() <= {"id"}
    text = raw.decode()
    for secret in (EMAIL, "hidden.person", PASSWORD, PRAYER, "pray for", session_key,
                   "csrf-cookie-value", "csrf-form-value", "csrf-header-value"):
        assert secret not in text, secret


def test_the_scrubber_removes_people_wherever_they_are():
    event = {
        "request": {"url": "http://x/", "data": {"body": PRAYER}, "cookies": "sessionid=abc",
                    "query_string": f"email={EMAIL}",
                    "headers": {"Cookie": "sessionid=abc", "User-Agent": "ua",
                                "X-Csrftoken": "tok"}},
        "user": {"id": 7, "email": EMAIL, "username": "member7", "ip_address": "10.0.0.1"},
        "extra": {"note": f"mail {EMAIL} failed", "password": PASSWORD,
                  "nested": [{"session_key": "abc"}, f"to <{EMAIL}>"]},
        "exception": {"values": [{"type": "ValueError", "stacktrace": {
            "frames": [{"function": "f", "vars": {"text": PRAYER}}]}}]},
        "breadcrumbs": {"values": [{"category": "query", "message": "INSERT %s",
                                    "data": {"db.params": [PRAYER]}}]},
    }

    scrubbed = before_send(event, {})

    text = json.dumps(scrubbed)
    for secret in (EMAIL, PASSWORD, PRAYER, "sessionid", "tok", "member7", "10.0.0.1"):
        assert secret not in text, secret
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"]["headers"] == {"User-Agent": "ua"}
    assert scrubbed["extra"]["note"] == "mail [Filtered] failed"


SHOW_CLIENT = ("import sentry_sdk; c = sentry_sdk.get_client(); "
               "print(c.is_active(), c.options.get('release'), c.options.get('environment'))")


def settings_client(**env):
    environ = {k: v for k, v in os.environ.items()
               if k not in {"SENTRY_DSN", "RELEASE", "SENTRY_ENVIRONMENT"}}
    environ.update(DJANGO_SETTINGS_MODULE="tests.settings", DJANGO_ENV_FILE=os.devnull, **env)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", SHOW_CLIENT],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1].split()


def test_the_settings_start_the_sdk_only_with_a_dsn():
    """A few seconds: three processes of their own, since the SDK starts with the settings."""
    # Port 9 (discard): nothing is sent, since nothing fails.
    assert settings_client(SENTRY_DSN="http://key@127.0.0.1:9/1", RELEASE="v42",
                           SENTRY_ENVIRONMENT="staging") == ["True", "v42", "staging"]
    assert settings_client(SENTRY_DSN="http://key@127.0.0.1:9/1")[2] == "production"
    assert settings_client()[0] == "False"


def test_a_tokens_in_a_reports_url_are_left_out():
    from library.web.errors import before_send

    event = {"request": {"url": "https://example.org/updates/leave/MQ:1xaW9X:T-EANuxHmnmE4K8m/"}}
    assert before_send(event)["request"]["url"] == "https://example.org/updates/leave/<token>/"
    plain = {"request": {"url": "https://example.org/articles/river-towns/"}}
    assert before_send(plain)["request"]["url"] == "https://example.org/articles/river-towns/"
