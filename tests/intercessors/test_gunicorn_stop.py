"""gunicorn with the site's settings (gunicorn.conf.py) on a deploy: SIGTERM to all
its processes at once, as systemd, docker and Kubernetes send it, finishes the
request in flight and stops within 10 s; restarted on a listening socket that a
parent process holds (systemd's socket activation, or `--bind fd://N`), it refuses
no connection. Real gunicorns on loopback, serving a stand-in app (slow_app.py)
whose requests take as long as the test asks."""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.net import free_port
from tests.processes import stop_group

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.intercessors.slow_app:application"
# As systemd starts a socket-activated service: the socket as descriptor 3, and
# LISTEN_FDS and LISTEN_PID naming it for this very process.
SOCKET_ACTIVATION = """
import os, sys
fd = int(sys.argv[1])
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execv(sys.argv[2], sys.argv[2:])
"""


def start(*args, log: Path, pass_fds=(), launcher=()) -> subprocess.Popen:
    return subprocess.Popen(
        [*launcher, sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--workers", "2", *args, APP],
        cwd=ROOT, env={**os.environ, "DJANGO_LOG_LEVEL": "WARNING"}, pass_fds=pass_fds,
        stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def get(port: int, path: str, timeout: float = 30) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_ready(port: int, server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            return get(port, "/", timeout=2)[1]
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)


def in_thread(call, *args) -> tuple[threading.Thread, dict]:
    outcome = {}

    def target():
        try:
            outcome["answer"] = call(*args)
        except OSError as error:
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_sigterm_to_every_process_finishes_the_request_in_flight_and_stops_within_10_s(
    tmp_path
):
    # About 3 s: a real gunicorn and a request of 2.5 s, what every deploy does to it.
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = start("--bind", f"127.0.0.1:{port}", log=log)
    try:
        wait_ready(port, server, log)
        thread, outcome = in_thread(get, port, "/2.5")
        time.sleep(0.5)  # the request is in a worker's hands
    finally:
        took = stop_group(server)
    thread.join(10)
    assert outcome.get("answer") == (200, str(server.pid)), (outcome, log.read_text())
    assert 1.5 < took < 10, log.read_text()  # it waited for the request, not longer
    assert server.returncode == 0, log.read_text()


def test_a_request_sent_while_gunicorn_restarts_on_a_held_socket_is_answered_by_the_next(
    tmp_path
):
    # About 3 s: two real gunicorns in turn on one socket, as a restart under
    # systemd's socket unit (or a rehearsal holding each server's socket) runs them.
    port, log = free_port(), tmp_path / "gunicorn.log"
    with socket.create_server(("127.0.0.1", port), backlog=128) as held:
        fd = held.fileno()
        first = start("--bind", f"fd://{fd}", log=log, pass_fds=(fd,))
        try:
            assert wait_ready(port, first, log) == str(first.pid)
        finally:
            assert stop_group(first) < 10, log.read_text()
        # No gunicorn now; the connection waits in the held socket's backlog.
        thread, outcome = in_thread(get, port, "/")
        time.sleep(0.5)
        assert thread.is_alive(), outcome
        second = start(log=log, pass_fds=(fd,),
                       launcher=(sys.executable, "-c", SOCKET_ACTIVATION, str(fd)))
        try:
            thread.join(30)
            assert outcome.get("answer") == (200, str(second.pid)), (outcome, log.read_text())
            assert get(port, "/") == (200, str(second.pid))
        finally:
            assert stop_group(second) < 10, log.read_text()
