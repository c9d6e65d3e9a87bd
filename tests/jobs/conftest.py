"""A real worker (`manage.py qcluster`, the site's own settings) on the suite's
database, and a real SMTP server on loopback. Both stop at the end of the test."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.jobs.smtp import MailServer
from tests.net import free_port
from tests.processes import database_url, stop_group

ROOT = Path(__file__).resolve().parents[2]


def site_env(mail_url: str, **extra) -> dict:
    """The site's production settings on the suite's database and a loopback mail
    server, with the job timings shortened so that a test takes seconds."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "intercessors.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        # Jobs queued by the suite are signed with its key; the worker must read them.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "EMAIL_URL": mail_url,
        "JOBS_WORKERS": "1",
        "JOBS_TIMEOUT": "3",
        "JOBS_RETRY": "9",
        "JOBS_POLL": "0.1",
        "OUTBOX_RETRY_AFTER": "0.5",
        "OUTBOX_LEASE": "4",
        "DJANGO_LOG_LEVEL": "INFO",
        **extra,
    }


class Worker:
    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process = env, log, None

    def start(self) -> "Worker":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=self.env,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """As if its machine died: every process of the cluster, at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # The cluster's first process stops the others, each after its job.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def stop_all(self, signum: int = signal.SIGTERM, *, first_only: bool = False) -> float:
        """`signum` to every process of the cluster at once, or to its first process
        alone: seconds until it is gone (tests.processes)."""
        return stop_group(self.process, signum, first_only=first_only)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def mail_server():
    server = MailServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(transactional_db, mail_server, tmp_path):
    """Start workers with `workers(**env)`; all are stopped after the test."""
    started = []

    def start(**extra) -> Worker:
        worker = Worker(site_env(mail_server.url, **extra), tmp_path / f"worker{len(started)}.log")
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()
    connections.close_all()


def wait_until(check, timeout: float, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)
    return check()
