"""The job worker's processes (`manage.py qcluster`): Django-Q2's cluster, stopped in
order and in time on SIGTERM or SIGINT, whether the signal reaches its first process
alone or every process of the cluster at once (systemd stopping a service, docker,
Kubernetes, Ctrl-C in a terminal).

Django-Q2's own sentinel lets SIGTERM kill it, and its pusher, monitor and workers
with it. Sent to them all at once, the sentinel dies inside its wait for the stop
event, counted as that event's sleeper, and the first process, asked to stop, waits
forever for it to wake (a futex, until SIGKILL); the job in flight dies half-done
and the queue hands it out again only after JOBS_RETRY seconds. Here every process
of the cluster but the first ignores SIGTERM and SIGINT, and the first one stops
them: the jobs taken from the queue and not yet started go back to it at once; the
workers finish their job, or stop it at a safe point (`jobs.stopping`), within
JOBS_STOP_GRACE seconds; past that a job still running is given back to the queue
(`jobs.GivenBack`) for another worker at once; whatever is left at STOP_DEADLINE is
killed."""
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
import uuid
from multiprocessing import Event

from django.conf import settings
from django.utils import timezone
from django_q import cluster as q_cluster

from library import jobs

logger = logging.getLogger(__name__)

# Seconds from the signal: what is left then is killed, within 10 s of the signal
# and before the process manager's own SIGKILL (TimeoutStopSec=12 in deploy/systemd). Jobs given
# back at JOBS_STOP_GRACE need a moment to reach the queue before that.
STOP_DEADLINE = 8.0
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class Sentinel(q_cluster.Sentinel):
    """Django-Q2's sentinel, which with its pusher, monitor and workers leaves the
    stop signals to the cluster's first process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, start=False, **kwargs)
        # Django-Q2's sentinel lets SIGTERM kill it; every process forked from here
        # inherits what is set now.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(jobs.GIVE_BACK_SIGNAL, signal.SIG_IGN)  # workers listen in `jobs.run`
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        self.start()

    def reincarnate(self, process):
        if process in self.pool and jobs.stopping():
            # A worker that gave back a job has ended; none starts in its place.
            self.pool.remove(process)
            return
        # A worker past its time limit is ended with SIGTERM, which workers ignore.
        timed_out = process in self.pool and process.timer.value == 0
        super().reincarnate(process)
        if timed_out:
            process.kill()

    def stop(self):
        """The pusher stops first; the jobs it had taken from the queue and not yet
        handed to a worker go back to it at once, then the workers stop as Django-Q2
        stops them. A worker that takes a job while stopping gives it back itself and
        ends (`jobs.run`), so without this the pusher would block on a full task
        queue that no worker reads, and its jobs wait for JOBS_RETRY."""
        self.event_out.set()
        taken = []
        while self.pusher.is_alive():
            taken += self._drain()
        self.pusher.join()
        # Whatever it put is in the queue now. A worker waiting in `get` holds the
        # queue's read lock, so `_drain` may find it busy: that worker takes the next
        # task and gives it back itself.
        while not self.task_queue.empty():
            taken += self._drain()
        _return_to_queue(taken)
        super().stop()  # puts a STOP for each worker: the task queue has room for them

    def _drain(self) -> list[int]:
        """The queue's row ids of the tasks waiting in the cluster's task queue."""
        taken = []
        while True:
            try:
                task = self.task_queue.get(timeout=0.1)
            except queue.Empty:
                return taken
            if isinstance(task, dict) and task.get("ack_id") is not None:
                taken.append(task["ack_id"])


def _return_to_queue(ids: list[int]) -> None:
    """Free to take now, not when their lease (JOBS_RETRY) runs out."""
    if not ids:
        return
    from django_q.models import OrmQ

    if settings.Q_CLUSTER.get("orm"):
        OrmQ.objects.using(settings.Q_CLUSTER["orm"]).filter(id__in=ids).update(
            lock=timezone.now())
    logger.info("%d jobs waiting in the worker's own queue are given back.", len(ids))


class Cluster(q_cluster.Cluster):
    def __init__(self):
        self.asked_to_stop = None
        super().__init__()  # installs `sig_handler` for SIGTERM and SIGINT

    def sig_handler(self, signum, frame):
        # Only noted: the stop itself runs in `serve`, outside the signal handler.
        if self.asked_to_stop is None:
            self.asked_to_stop = signal.Signals(signum).name

    def start(self) -> int:
        jobs.share_stop_flag()
        self.stop_event, self.start_event = Event(), Event()
        # Blocked until the sentinel ignores them: a signal sent to the whole group
        # while it starts must not reach it first.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.sentinel = q_cluster.get_mp_context().Process(
                target=Sentinel, name=f"Process-{uuid.uuid4().hex}",
                args=(self.stop_event, self.start_event, self.cluster_id, self.broker,
                      self.timeout),
            )
            self.sentinel.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        logger.info("Q Cluster %s starting.", self.name)
        return self.pid

    def serve(self) -> int:
        """Run until a stop signal (0) or the sentinel's death (1)."""
        self.start()
        while self.asked_to_stop is None and self.sentinel.is_alive():
            time.sleep(0.1)
        if self.asked_to_stop is None:
            logger.error("Q Cluster %s: its sentinel died (exit code %s).", self.name,
                         self.sentinel.exitcode)
            self.stop_now(time.monotonic())
            return 1
        self.stop_in_order()
        return 0

    def stop_in_order(self) -> None:
        started = time.monotonic()
        logger.info("Q Cluster %s stopping (%s).", self.name, self.asked_to_stop)
        jobs.ask_to_stop()
        # Setting the event waits for its sleepers to wake: in a thread of its own, so
        # that a sentinel that cannot wake does not hold up the deadlines.
        threading.Thread(target=self.stop_event.set, daemon=True).start()
        grace = min(settings.JOBS_STOP_GRACE, STOP_DEADLINE - 1)
        self.sentinel.join(grace)
        if self.sentinel.is_alive():
            given = _signal_all(_descendants(os.getpid()), jobs.GIVE_BACK_SIGNAL)
            logger.warning("Q Cluster %s: jobs still running after %g s are given back "
                           "to the queue (%d processes told).", self.name, grace, given)
            self.sentinel.join(max(0.0, STOP_DEADLINE - (time.monotonic() - started)))
        if self.sentinel.is_alive():
            self.stop_now(started)
        logger.info("Q Cluster %s has stopped in %.1f s.", self.name,
                    time.monotonic() - started)

    def stop_now(self, started: float) -> None:
        left = _descendants(os.getpid())
        if left:
            logger.error("Q Cluster %s: %d processes still running after %.1f s are "
                         "killed.", self.name, len(left), time.monotonic() - started)
            _signal_all(left, signal.SIGKILL)
        self.sentinel.join(1)


def _descendants(root: int, proc: str = "/proc") -> list[int]:
    """The processes below `root`, read from `proc`. Where there is none (macOS, in
    development), only this process's own children are found: in the cluster's first
    process, the sentinel, and not the workers below it."""
    if not os.path.isdir(f"{proc}/self"):
        return [child.pid for child in multiprocessing.active_children()]
    children: dict[int, list[int]] = {}
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            with open(f"{proc}/{entry}/stat") as stat:
                # "pid (name) state ppid ...": the name may hold spaces and brackets.
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _signal_all(pids: list[int], signum: int) -> int:
    told = 0
    for pid in pids:
        try:
            os.kill(pid, signum)
            told += 1
        except ProcessLookupError:
            pass
    return told

