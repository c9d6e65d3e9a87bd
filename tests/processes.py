"""Stopping the servers and workers the tests start, as a process manager does."""
import os
import signal
import subprocess
import time


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, *, timeout: float = 15,
               first_only: bool = False) -> float:
    """Send `sig` to every process of `process`'s group at once, as systemd, compose
    and Kubernetes send SIGTERM (and a terminal Ctrl-C), or to its first process
    alone; wait up to `timeout` seconds for it to end: the seconds it took. Whatever
    the group left behind is killed, so nothing outlives the test."""
    started = time.monotonic()
    try:
        if first_only:
            process.send_signal(sig)
        else:
            os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass  # the time taken says so; the group is killed below
    took = time.monotonic() - started
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)
    return took


def database_url() -> str:
    """The test database's address, for a process a test starts (a worker, a server)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"
