"""Redis servers the tests own: a real one they can pause and resume, and
addresses where Redis is down (nothing listens) or hangs (nothing answers)."""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

from intercessors.settings import cache_settings
from tests.net import free_port

DOWN = "redis://127.0.0.1:9/0"  # nothing listens on the discard port: refused at once


class PrivateRedis:
    """A redis-server of our own, so a test can stop it without touching anyone else's."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def pause(self):
        """Like a network partition: connections hang, the data stays."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        self.resume()
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        reason = "redis-server is not installed: apt-get install redis-server"
        if os.environ.get("E2E_REQUIRED") == "1":  # CI: every tool it installs must be there
            pytest.fail(reason)
        pytest.skip(reason)
    server = PrivateRedis()
    yield server
    server.stop()


class HangingServer:
    """Accepts connections and never answers, as a wedged Redis or a dropped route does.
    Counts the connections made, so a test can see how often the site tried."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.listener.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hanging_redis():
    server = HangingServer()
    yield server
    server.close()


class GarbageServer(HangingServer):
    """Answers every command with a string, as no Redis would: a wrong port, a
    broken proxy. The client then fails in ways redis-py does not name."""

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn):
        try:
            while conn.recv(4096):
                conn.sendall(b"$3\r\nabc\r\n")
        except OSError:
            pass


@pytest.fixture
def garbage_redis():
    server = GarbageServer()
    yield server
    server.close()


@contextmanager
def caches_on(settings, *, counters="", pages=""):
    """Point the site's Redis caches where a test wants them, as production settings would."""
    from library import caches as site_caches

    settings.REDIS_URL = counters
    settings.PAGE_CACHE_URL = pages
    settings.CACHES = cache_settings(redis_url=counters, page_cache_url=pages,
                                     page_cache_dir=settings.PAGE_CACHE_DIR)
    site_caches.reset_breakers()
    try:
        yield
    finally:
        site_caches.reset_breakers()
