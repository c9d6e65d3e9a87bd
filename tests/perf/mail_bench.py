"""The mail rows of `make bench`: what recording a message adds to a request, and
how many messages a second one worker hands to a local SMTP server.

Run by tests/perf/bench.py with the benchmark's environment (its database), or
alone: `python -m tests.perf.mail_bench` with DATABASE_URL set."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 1000  # messages recorded one request at a time, for the timing
SENDS = 3000  # messages the worker hands over, for the rate

RECORD = """
import json, statistics, time
from django.db import transaction
from library.mail import outbox
from library.models import OutboxMessage, RateLimitBucket
from django_q.models import OrmQ
context = {"recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
           "link": "https://intercessors.example/articles/a/#comment-1"}
alone, with_mail = [], []
for n in range(int(sys.argv[1])):
    # A request's own write (one row, and its commit), without and with a mail
    # recorded beside it, taken in turn so that both meet the same machine.
    started = time.perf_counter()
    with transaction.atomic():
        RateLimitBucket.objects.create(bucket=f"bench-alone-{n}", expires=0)
    alone.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    with transaction.atomic():
        RateLimitBucket.objects.create(bucket=f"bench-mail-{n}", expires=0)
        outbox.send("comments/email/reply", context, to=f"bench-record-{n}@example.org")
    with_mail.append((time.perf_counter() - started) * 1000)
OutboxMessage.objects.filter(to__startswith="bench-record-").delete()
RateLimitBucket.objects.filter(bucket__startswith="bench-").delete()
OrmQ.objects.all().delete()
alone.sort(); with_mail.sort()
p50 = statistics.median
print(json.dumps({"count": len(alone), "alone": p50(alone), "with": p50(with_mail),
                  "added": p50(with_mail) - p50(alone),
                  "added_p95": with_mail[int(len(with_mail) * 0.95)]
                  - alone[int(len(alone) * 0.95)]}))
"""

QUEUE = """
from django.db import transaction
from library.mail import outbox
from library.models import OutboxMessage
OutboxMessage.objects.filter(to__startswith="bench-send-").delete()
context = {"recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
           "link": "https://intercessors.example/articles/a/#comment-1"}
with transaction.atomic():
    for n in range(int(sys.argv[1])):
        outbox.send("comments/email/reply", context, to=f"bench-send-{n}@example.org")
"""

# While the rate is measured the worker runs delivery alone: the site's schedules
# (digests, expiry, editions) wait an hour, then are due again at once.
HOLD_SCHEDULES = """
from datetime import timedelta
from django.utils import timezone
from django_q.models import Schedule
Schedule.objects.filter(name__startswith="Site: ").update(
    next_run=timezone.now() + timedelta(hours=int(sys.argv[1])))
"""

COUNT_SENT = """
from library.models import OutboxMessage
print(OutboxMessage.objects.filter(to__startswith="bench-send-", status="sent").count())
OutboxMessage.objects.filter(to__startswith="bench-send-").delete()
"""


def shell(env, code, *argv):
    return subprocess.run(
        [sys.executable, "-c", "import django, sys; django.setup(); "
         f"sys.argv=[''] + {list(argv)!r}; exec({code!r})"],
        cwd=ROOT, env=env, text=True, capture_output=True, check=True, timeout=600,
    ).stdout


def measure(env: dict) -> dict:
    from aiosmtpd.controller import Controller

    from tests.net import free_port
    from tests.perf.mailing_bench import Counter

    recorded = json.loads(shell(env, RECORD, str(RECORDS)).strip().splitlines()[-1])

    # A server that only counts what it accepts: the measure is the worker's, not the
    # time a test server spends reading each message.
    counter = Counter()
    port = free_port()
    server = Controller(counter, hostname="127.0.0.1", port=port)
    server.start()
    shell(env, HOLD_SCHEDULES, "1")
    shell(env, QUEUE, str(SENDS))
    worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "JOBS_WORKERS": "1",
                  "DJANGO_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT,
                              env=worker_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        first = None
        while time.monotonic() < deadline:
            count = counter.count
            if count and first is None:
                first = (time.monotonic(), count)
            if count >= SENDS:
                break
            time.sleep(0.01)
        last = time.monotonic()
        handed = counter.count
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        server.stop()
        shell(env, HOLD_SCHEDULES, "0")
    sent = int(shell(env, COUNT_SENT).strip().splitlines()[-1])
    rate = (handed - first[1]) / (last - first[0]) if first and last > first[0] else 0.0
    return {"record": recorded, "sends": SENDS, "handed": handed, "marked_sent": sent,
            "rate": rate, "seconds": last - first[0] if first else 0.0}


def report(mail: dict) -> list[str]:
    record = mail["record"]
    return [
        "## Mail (the outbox and one worker)",
        "",
        "| measure | result | target | met |",
        "| --- | ---: | --- | --- |",
        f"| Time a recorded message adds to a request's write (median of {record['count']:,}: "
        f"{record['alone']:.2f} ms alone, {record['with']:.2f} ms with the message; p95 adds "
        f"{record['added_p95']:.2f} ms) | {record['added']:.2f} ms | ≤2 ms | "
        f"{'yes' if record['added'] <= 2 else '**no**'} |",
        f"| Messages a second one worker hands to a local SMTP server ({mail['handed']:,} "
        f"of {mail['sends']:,} in {mail['seconds']:.1f}s, {mail['marked_sent']:,} marked "
        f"sent) | {mail['rate']:,.0f} | ≥200 | {'yes' if mail['rate'] >= 200 else '**no**'} |",
        "",
        "The recording is timed around a one-row write and its commit, in turn without and "
        "with `outbox.send` beside it (the message, its delivery job and a savepoint; "
        "`tests/perf/mail_bench.py`). The rate "
        "counts from the first message the SMTP server (aiosmtpd on 127.0.0.1, counting what it "
        "accepts) accepted "
        "to the last, with `manage.py qcluster` running one worker process and the site's "
        "schedules held back an hour meanwhile.",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "intercessors.settings"}
    print("\n".join(report(measure(environ))))
