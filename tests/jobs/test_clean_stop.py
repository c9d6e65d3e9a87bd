"""A worker stopped as process managers stop it, SIGTERM to all its processes at
once: gone within 10 s every time, and nothing it held is lost or done twice. A
job in flight is given back to the queue for another worker at once; a mail batch
stops after the message being sent and leaves the rest to the next worker.

Real workers (`manage.py qcluster`) on the database and a real SMTP server: a
stuck stop shows only with real processes and real signals."""
import signal
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ
from django_q.tasks import async_task

from library import jobs
from library.mail import outbox
from library.models import JobRun, OutboxMessage
from tests.jobs.conftest import ROOT, site_env, wait_until

pytestmark = pytest.mark.postgres_pass

# Leases far longer than the tests: what another worker takes at once was given
# back, not left to run out. JOBS_RETRY must exceed JOBS_TIMEOUT + 5, and
# OUTBOX_LEASE JOBS_TIMEOUT (system checks).
LONG_LEASES = {"JOBS_TIMEOUT": "20", "JOBS_RETRY": "120", "OUTBOX_LEASE": "120"}


def running(worker) -> bool:
    return "running." in worker.output()


def stopped_cleanly(worker) -> None:
    """Gone in order, nothing killed, and every job it had taken free for the next
    worker at once ("has stopped" is logged after a kill as well)."""
    assert worker.process.returncode == 0, worker.output()
    assert "are killed" not in worker.output(), worker.output()
    assert not OrmQ.objects.filter(lock__gt=timezone.now()).exists(), worker.output()


def ends(notes) -> list[str]:
    return sorted(line for line in notes.read_text().splitlines() if line.startswith("end"))


@pytest.mark.parametrize(("signum", "first_only"), [
    (signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, False)],
    ids=["SIGTERM to all", "SIGTERM to the first", "SIGINT to all"])
def test_an_idle_worker_stops_within_10_s(workers, signum, first_only):
    # About 3 s each: a worker's start, then its stop. SIGTERM to all its processes
    # at once is what systemd and docker send; the others are what a person sends.
    worker = workers()
    assert wait_until(lambda: running(worker), 30), worker.output()
    assert worker.stop_all(signum, first_only=first_only) < 10, worker.output()
    stopped_cleanly(worker)


def test_a_job_in_flight_is_given_back_and_another_worker_runs_it_once_to_the_end(
    workers, tmp_path
):
    # About 10 s: two workers' starts, a job stopped after a grace time of 1 s, then
    # run again for 3 s. That a job in flight at a deploy is taken again at once, not
    # after JOBS_RETRY, and never runs twice beside itself, shows only with real
    # workers stopped by a real signal.
    notes = tmp_path / "runs.txt"
    async_task(jobs.RUN, "tests.jobs.sample.note_run", str(notes), "slow", 3,
               task_name="slow")
    first = workers(JOBS_STOP_GRACE="1", **LONG_LEASES)
    assert wait_until(lambda: notes.exists() and "start slow" in notes.read_text(), 30), (
        first.output())

    took = first.stop_all()
    assert took < 10, first.output()
    stopped_cleanly(first)
    assert "was given back to the queue" in first.output()
    assert "end slow" not in notes.read_text()
    run = JobRun.objects.get(func="tests.jobs.sample.note_run")
    assert (run.held_by, run.held_until, run.finished_at) == ("", None, None)  # let go
    assert OrmQ.objects.get().lock <= timezone.now()  # free to take now

    second = workers(**LONG_LEASES)
    assert wait_until(lambda: "end slow" in notes.read_text(), 20), second.output()
    assert notes.read_text().splitlines() == ["start slow", "start slow", "end slow"]
    run.refresh_from_db()
    assert run.finished_at is not None and run.runs == 2
    assert wait_until(lambda: not OrmQ.objects.exists(), 10)  # acknowledged


def record_replies(count: int) -> list[str]:
    """`count` reply notices waiting in the outbox: their Message-IDs."""
    with transaction.atomic():
        return [outbox.send("comments/email/reply", {
            "recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
            "link": "http://testserver/"}, to=f"reader{n}@example.org").message_id
            for n in range(count)]


def test_a_mail_batch_stops_after_the_message_being_sent_and_another_worker_sends_the_rest(
    workers, mail_server
):
    # About 8 s: two workers' starts and 60 messages at 50 ms each. Mail sent twice,
    # or left for OUTBOX_LEASE, after a deploy shows only with a real worker and a real
    # SMTP server, counted at the server by Message-ID.
    mail_server.inbox.delay = 0.05
    ids = record_replies(60)
    first = workers(**LONG_LEASES)
    assert len(mail_server.inbox.wait_for(5, timeout=30)) >= 5, first.output()

    took = first.stop_all()
    assert took < 10, first.output()
    stopped_cleanly(first)
    sent_by_first = len(mail_server.inbox.ids())
    assert sent_by_first < 60  # stopped in the middle of its batch
    # What it did not send is held by no one: the next worker sends it at once.
    assert not OutboxMessage.objects.exclude(held_by="").exists()
    assert OutboxMessage.objects.filter(status="sent").count() == sent_by_first

    second = workers(**LONG_LEASES)
    mail_server.inbox.wait_for(60, timeout=30)
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 60, 10), (
        second.output())
    received = mail_server.inbox.ids()
    assert sorted(received) == sorted(ids), (first.output(), second.output())  # each once


def test_a_worker_with_a_backlog_gives_back_every_job_it_took_and_each_runs_once(
    workers, tmp_path
):
    # About 12 s: two workers' starts, a stop with more jobs waiting than the worker's
    # own queue holds, then 12 jobs of 1 s on two processes. Jobs a worker had taken
    # from the queue but not started must be free for the next worker at once, and the
    # worker gone without being killed: only real processes share a real queue.
    notes = tmp_path / "runs.txt"
    for n in range(12):
        async_task(jobs.RUN, "tests.jobs.sample.note_run", str(notes), f"job{n:02}", 1,
                   task_name=f"job{n:02}")
    first = workers(JOBS_WORKERS="2", JOBS_STOP_GRACE="1", **LONG_LEASES)
    assert wait_until(lambda: notes.exists() and "end" in notes.read_text(), 30), (
        first.output())

    took = first.stop_all()
    assert took < 5, first.output()  # its jobs' grace and a moment, not the kill at 8 s
    stopped_cleanly(first)
    done_by_first = ends(notes)
    assert len(done_by_first) < 12

    second = workers(JOBS_WORKERS="2", **LONG_LEASES)
    assert wait_until(lambda: len(ends(notes)) >= 12, 30), second.output()
    assert wait_until(lambda: not OrmQ.objects.exists(), 10), second.output()
    assert ends(notes) == [f"end job{n:02}" for n in range(12)]  # each once


def test_a_slow_message_being_sent_at_the_give_back_is_marked_and_the_rest_let_go(
    workers, mail_server
):
    # About 9 s: two workers' starts, a message the server takes 3 s over while the
    # grace time is 1 s. A message the server accepted must be marked sent, not go
    # again, and the rest of the batch not wait for OUTBOX_LEASE: a slow server at a
    # deploy shows only with a real worker and a real SMTP server.
    mail_server.inbox.delay = 3
    ids = record_replies(10)
    first = workers(JOBS_STOP_GRACE="1", **LONG_LEASES)
    assert wait_until(lambda: mail_server.inbox.asked_for, 30), first.output()

    took = first.stop_all()
    assert took < 8, first.output()
    stopped_cleanly(first)
    assert len(mail_server.inbox.ids()) == 1
    assert OutboxMessage.objects.filter(status="sent").count() == 1
    assert not OutboxMessage.objects.exclude(held_by="").exists()

    mail_server.inbox.delay = 0
    second = workers(**LONG_LEASES)
    mail_server.inbox.wait_for(10, timeout=30)
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 10, 10), (
        second.output())
    assert sorted(mail_server.inbox.ids()) == sorted(ids), second.output()  # each once


def test_the_error_reports_held_when_the_worker_exits_are_sent(tmp_path):
    # About 3 s: a process that sets up the site. The worker's last act skips the
    # interpreter's teardown, where the SDK would send what it holds; only a real
    # process ending shows whether the reports left before it. The server answers
    # each in 0.1 s, so the SDK still holds most of them at the end.
    from tests.library.web.test_errors import Envelopes, events

    class SlowEnvelopes(Envelopes):
        def do_POST(self):
            time.sleep(0.1)
            super().do_POST()

    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowEnvelopes)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = site_env("smtp://127.0.0.1:9",
                       SENTRY_DSN=f"http://key@127.0.0.1:{server.server_port}/1")
        script = ("import django; django.setup(); import sentry_sdk\n"
                  "for n in range(5): sentry_sdk.capture_message(f'last words {n}')\n"
                  "from library.management.commands.qcluster import end; end(3)")
        ended = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=30, check=False)
        assert ended.returncode == 3, ended.stderr
        reported = sorted(event.get("message") for _, event in events(server.received))
        assert reported == [f"last words {n}" for n in range(5)], ended.stderr
    finally:
        server.shutdown()
        server.server_close()
