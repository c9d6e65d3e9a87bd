"""The heartbeat job: a GET to HEARTBEAT_URL every minute, so a monitor outside the
site hears when the worker stops; a monitor that is away never fails the job."""
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from library import health


class Monitor(BaseHTTPRequestHandler):
    """A healthchecks.io stand-in: answers each ping with the server's `answer`."""

    def do_GET(self):
        self.server.pings.append(self.path)
        if self.server.answer == "hang":
            self.server.release.wait(5)
        self.send_response(200 if self.server.answer == "ok" else 500)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


@pytest.fixture
def monitor():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Monitor)
    server.pings, server.answer, server.release = [], "ok", threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def url_of(server, path="/ping/3b1f"):
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_the_heartbeat_pings_the_monitor(settings, monitor):
    settings.HEARTBEAT_URL = url_of(monitor)
    assert health.ping_heartbeat() is True
    assert monitor.pings == ["/ping/3b1f"]


def test_without_a_heartbeat_url_nothing_is_pinged(settings, monitor):
    settings.HEARTBEAT_URL = ""
    assert health.ping_heartbeat() is False
    assert monitor.pings == []


def test_a_failing_monitor_is_logged_not_raised(settings, monitor, caplog):
    settings.HEARTBEAT_URL = url_of(monitor)
    monitor.answer = "error"
    with caplog.at_level(logging.WARNING, logger="library.health"):
        assert health.ping_heartbeat() is False
    assert monitor.pings == ["/ping/3b1f"]
    assert "heartbeat ping failed" in caplog.text
    assert "3b1f" not in caplog.text  # the URL is the monitor's secret


def test_a_monitor_that_is_away_or_hangs_is_not_waited_on_long(settings, monitor, monkeypatch):
    monkeypatch.setattr(health, "HEARTBEAT_TIMEOUT", 0.5)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.HEARTBEAT_URL = f"http://127.0.0.1:{port}/ping"  # nothing listens
    assert health.ping_heartbeat() is False
    settings.HEARTBEAT_URL = url_of(monitor)
    monitor.answer = "hang"
    assert health.ping_heartbeat() is False
