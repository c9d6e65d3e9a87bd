"""Loopback helpers for the tests that start servers."""
import itertools
import os
import socket

# Each pytest-xdist worker takes ports from a range of its own, below the range the
# system hands out for outgoing connections (32768 and up on Linux): no two
# workers, and no connection the system opens meanwhile, can want the same port
# between the moment it is found free and the moment a server binds it.
FIRST_PORT, PORTS_PER_WORKER = 20000, 500
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_tried = itertools.count()


def free_port() -> int:
    base = FIRST_PORT + (_worker % 24) * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = base + next(_tried) % PORTS_PER_WORKER
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # a server of an earlier test still holds it
            return port
    raise RuntimeError(f"No free port from {base} to {base + PORTS_PER_WORKER - 1}.")
