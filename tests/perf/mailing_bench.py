"""The daily email to 100,000 subscribers, as production sends it: `manage.py
send_updates daily` records the edition's copies a batch at a time, and workers
(`manage.py qcluster`) hand them to a local SMTP server. Reports messages a second,
the whole time, the workers' memory as the send goes on, and how many readers got
a second copy (by address, and by Message-ID); then sends again and checks that
nothing more is delivered. Run twice: on the idle machine, and with every core
kept busy by other processes (a machine shared with other work).

The server tells the edition's copies (to the bench's readers) from the site's
other mail that comes due meanwhile (the schedules' digests and reminders to
members): the edition is complete when every reader has a copy, not when as many
messages as readers have arrived.

Run by tests/perf/bench.py with the benchmark's environment, or alone:
`python -m tests.perf.mailing_bench` with DATABASE_URL set (after seed_bench), which
prints its rows."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
GOAL_SECONDS = 600
WORKERS = os.cpu_count() or 2

PREPARE = """
from datetime import timedelta
from django.utils import timezone
from articles.models import Article
from articles.services import save_post
from library.models import OutboxMessage
from updates.models import Subscriber
from updates.models import Edition, Timetable
OutboxMessage.objects.filter(to__endswith="@readers.bench").delete()
# The archive's posts count as mailed already, and the timetable's moments as done, so
# the only send is the one measured: today's one new post, to every subscriber.
now = timezone.now()
Timetable.current()
Timetable.objects.update(daily_done_for=now, weekly_done_for=now, state_done_for=now)
Edition.objects.filter(done_at__isnull=True).update(done_at=now)
earlier = Edition.objects.create(kind="daily", since=now - timedelta(days=30),
                                 until=now - timedelta(seconds=30), done_at=now)
earlier.posts.set(Article.objects.filter(published_at__gt=now - timedelta(days=30)))
stamp = f"{timezone.now():%H%M%S%f}"
post = Article(title=f"Bench daily post {stamp}", slug=f"bench-daily-{stamp}",
               status="published", published_at=timezone.now() - timedelta(seconds=5),
               summary="A short excerpt for the daily email.", body="A body.",
               source_name="The Bench Ledger")
save_post(article=post, prayer_text="Father, we pray for every reader of this email.")
print(Subscriber.objects.filter(daily=True, confirmed_at__isnull=False,
                                left_at__isnull=True).count())
"""

CLEAN = """
from library.models import OutboxMessage
print(OutboxMessage.objects.filter(to__endswith="@readers.bench", status="sent").count())
OutboxMessage.objects.filter(to__endswith="@readers.bench").delete()
"""


READERS = "@readers.bench"


class Counter:
    """An SMTP server's side that counts what it accepts: every message, and for the
    bench's readers the copies each address got and each Message-ID's arrivals."""

    def __init__(self):
        self.count, self.lock = 0, threading.Lock()
        self.copies: dict[str, int] = {}
        self.ids: dict[str, int] = {}

    async def handle_DATA(self, server, session, envelope):
        message_id = _message_id(envelope.content)
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            for address in envelope.rcpt_tos:
                if address.endswith(READERS):
                    self.copies[address] = self.copies.get(address, 0) + 1
                    self.ids[message_id] = self.ids.get(message_id, 0) + 1
        return "250 Message accepted for delivery"

    @property
    def readers(self) -> int:
        return len(self.copies)

    def twice(self) -> tuple[int, int]:
        """Readers with two copies or more, and Message-IDs that arrived twice."""
        with self.lock:
            return (sum(1 for n in self.copies.values() if n > 1),
                    sum(1 for n in self.ids.values() if n > 1))


def _message_id(content: bytes) -> str:
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode(errors="replace")
    return ""


def busy_machine(seconds: int) -> list[subprocess.Popen]:
    """A process per core spinning for `seconds` at most: other work on the machine.
    Each stops by itself."""
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    return [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(os.cpu_count() or 2)]


def shell(env, code):
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); exec({code!r})"],
        cwd=ROOT, env=env, text=True, capture_output=True, check=True, timeout=600,
    ).stdout


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in the workers' group, in MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def measure(env: dict, *, loaded: bool = False) -> dict:
    from tests.net import free_port

    hogs = busy_machine(3 * GOAL_SECONDS) if loaded else []
    try:
        return _measure(env, free_port) | {"loaded": loaded}
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _measure(env: dict, free_port) -> dict:
    audience = int(shell(env, PREPARE).strip().splitlines()[-1])
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "JOBS_WORKERS": str(WORKERS),
                  "DJANGO_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT,
                              env=worker_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    memory = []  # (share of the send done, MB)
    try:
        time.sleep(3)  # the cluster starts its processes
        started = time.monotonic()
        send = subprocess.Popen([sys.executable, "manage.py", "send_updates", "daily"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        deadline = started + 3 * GOAL_SECONDS
        while time.monotonic() < deadline and counter.readers < audience:
            memory.append((counter.readers / audience, group_rss_mb(worker.pid)))
            time.sleep(1)
        seconds = time.monotonic() - started
        delivered, copies = counter.readers, sum(counter.copies.values())
        recorded = send.communicate(timeout=600)[0].strip().splitlines()[-1]
        # The same period again: nothing new is recorded or delivered.
        again = subprocess.run([sys.executable, "manage.py", "send_updates", "daily"],
                               cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=600).stdout.strip().splitlines()[-1]
        time.sleep(15)
        second_run = sum(counter.copies.values()) - copies
        twice, ids_twice = counter.twice()
        everything = counter.count
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        controller.stop()
    marked_sent = int(shell(env, CLEAN).strip().splitlines()[-1])
    peak = max((mb for _, mb in memory), default=0.0)
    early = next((mb for share, mb in memory if share >= 0.1), peak)
    late = next((mb for share, mb in memory if share >= 0.9), peak)
    return {"audience": audience, "delivered": delivered, "seconds": seconds,
            "rate": delivered / seconds if seconds else 0.0, "peak_mb": peak,
            "early_mb": early, "late_mb": late, "second_run": second_run,
            "marked_sent": marked_sent, "recorded": recorded, "again": again,
            "workers": WORKERS, "twice": twice, "ids_twice": ids_twice,
            "other_mail": everything - sum(counter.copies.values())}


def report(results: list[dict]) -> list[str]:
    """The rows of each run: on the idle machine, and on one busy with other work."""
    first = results[0]
    lines = [
        f"## The daily email to {first['audience']:,} subscribers",
        "",
        "| measure | result | target | met |",
        "| --- | ---: | --- | --- |",
    ]
    for result in results:
        where = "busy machine" if result["loaded"] else "idle machine"
        met = result["seconds"] <= GOAL_SECONDS and result["delivered"] >= result["audience"]
        lines += [
            f"| {where}: whole send, from `send_updates daily` to the last reader's copy "
            f"({result['delivered']:,} readers reached, {result['marked_sent']:,} marked sent) "
            f"| {result['seconds']:.0f} s | ≤{GOAL_SECONDS} s | {'yes' if met else '**no**'} |",
            f"| {where}: messages a second | {result['rate']:,.0f} | ≥170 | "
            f"{'yes' if result['rate'] >= 170 else '**no**'} |",
            f"| {where}: readers who got two copies (by address; by Message-ID) "
            f"| {result['twice']}; {result['ids_twice']} | 0 | "
            f"{'yes' if result['twice'] == 0 else '**no**'} |",
            f"| {where}: workers' memory (every process of `qcluster`, {result['workers']} "
            f"workers): at 10% of the send, at 90%, peak | {result['early_mb']:.0f} MB, "
            f"{result['late_mb']:.0f} MB, {result['peak_mb']:.0f} MB | flat | "
            f"{'yes' if result['late_mb'] <= result['early_mb'] * 1.25 + 20 else '**no**'} |",
            f"| {where}: the same send again (“{result['again']}”) | {result['second_run']} "
            f"delivered | 0 | {'yes' if result['second_run'] == 0 else '**no**'} |",
        ]
    lines += [
        "",
        f"`{first['recorded']}` Copies are recorded 500 to a transaction, each template "
        "rendered once per batch (`updates/mailer.py`), and handed over by "
        f"`manage.py qcluster` with {first['workers']} workers to an SMTP server on "
        "127.0.0.1 that counts what it accepts, reader by reader and Message-ID by "
        "Message-ID (`tests/perf/mailing_bench.py`). The busy machine runs a process "
        "spinning on every core beside the send. The site's other mail that came due "
        "meanwhile (members' daily counts and reminders) is not counted as readers' "
        "copies: " + ", ".join(f"{r['other_mail']:,}" for r in results) + " such messages.",
    ]
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tests.perf import bench

    environ, _ = bench.environment()  # the benchmark's settings, on DATABASE_URL
    bench.manage(environ, "migrate", "--noinput", "-v0")
    print("\n".join(report([measure(environ), measure(environ, loaded=True)])))
