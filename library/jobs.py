"""Background work on Django-Q2: the schedules the site keeps, jobs at a moment, and
the two shapes long work takes.

Apps register what runs on a schedule (`every`) from their AppConfig.ready(); after
each `migrate` the schedules are written to Django-Q2's table, where they survive
restarts and any worker on any machine runs them, each run once.

Every job, queued or scheduled, runs through `run`, which runs each one once. The
queue hands a job out again when it is not acknowledged within `retry` seconds of
being taken from the queue, and a job can wait in a worker's own queue behind
others before it starts: a job still running, or already done, was handed out a
second time. `run` holds each job's run (`JobRun`), so the second copy finds it
held and does nothing; a run that failed or whose worker died lets go, and the
queue's next hand-out runs it again.

Long work is done in slices (`in_slices`): each job stops well within its time
limit and queues itself for the rest.

A worker that is stopping (library.cluster) starts no new job: it gives the job back
to the queue at once, for another worker. A job in slices ends its slice early and
queues the rest; a job still running when the worker's grace time is out is stopped
(`GivenBack`) and given back the same way, at the end of the block it is in if that
block must not stop half-done (`unstoppable`)."""
import ctypes
import logging
import multiprocessing
import secrets
import signal
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

RUN = "library.jobs.run"
SCHEDULES: dict[str, dict] = {}
# How much longer than its time limit a job's run is held (`run`): the queue stops a
# job 3 seconds after its limit, when its guard next looks.
JOB_HOLD_MARGIN = 5


def every(name: str, func: str, *, minutes: int) -> None:
    """Run the function at dotted path `func` every `minutes` minutes."""
    SCHEDULES[name] = {"func": func, "minutes": minutes}


def install_schedules(**kwargs) -> None:
    """Write the registered schedules to the database (post_migrate); a schedule
    whose interval changed is updated, one no longer registered is removed."""
    from django_q.models import Schedule

    with transaction.atomic():
        for name, spec in SCHEDULES.items():
            schedule = Schedule.objects.filter(name=name).first() or Schedule(
                name=name, next_run=timezone.now()
            )
            schedule.func, schedule.args = RUN, repr((spec["func"],))
            schedule.minutes = spec["minutes"]
            schedule.schedule_type, schedule.repeats = Schedule.MINUTES, -1
            schedule.save()
        Schedule.objects.filter(name__startswith="Site: ").exclude(
            name__in=list(SCHEDULES)
        ).delete()


def soon(func: str, *, task_name: str, group: str) -> None:
    """Queue the job `func` for what the current transaction writes, once per
    transaction. The queue is a table of the same database (Django-Q2's ORM broker),
    so the job is queued in the transaction itself and commits, or not, with what it
    is for; with another broker it is queued after the commit. A job whose queueing
    was lost is run by its schedule (`every`) all the same."""
    db = transaction.get_connection()
    in_database = settings.Q_CLUSTER.get("orm") == db.alias
    queue_it = partial(queue if in_database else _queue_after_commit, func,
                       task_name=task_name, group=group)
    if not db.in_atomic_block:
        queue_it()
    elif not any(getattr(entry[1], "job", None) == func for entry in db.run_on_commit):
        if in_database:
            queue_it()
            # Marks this transaction as having its job; dropped with it, or with the
            # savepoint the job was queued in, if that is rolled back.
            queue_it = partial(_queued)
        queue_it.job = func
        transaction.on_commit(queue_it)


def _queued() -> None:
    pass


def queue(func: str, *, task_name: str, group: str) -> None:
    """Queue the job `func` now, whatever transaction is open."""
    from django_q.tasks import async_task

    async_task(RUN, func, task_name=task_name, group=group)


def _queue_after_commit(func: str, *, task_name: str, group: str) -> None:
    try:
        queue(func, task_name=task_name, group=group)
    except Exception:  # what the job is for is safe in the database; its schedule runs it
        logger.exception("Could not queue the job %s", func)


# The scheduler looks for due schedules every 30 seconds; a job at a moment is
# started this much early and waits for its moment itself (`wait_until`).
SCHEDULER_TICK = 30


def at(name: str, func: str, when: datetime, *args) -> None:
    """Run `func(*args)` once at `when`: started by the next scheduler look before
    it, it calls `wait_until(when)` first. Naming a job again moves it."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=name,
        defaults={
            "func": RUN, "args": repr((func, *args)), "schedule_type": Schedule.ONCE,
            "repeats": -1, "next_run": when - timedelta(seconds=SCHEDULER_TICK),
        },
    )


def cancel(name: str) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(name=name).delete()


def wait_until(when: datetime, *, longest: float = 2 * SCHEDULER_TICK) -> bool:
    """Sleep until `when` if it is near; False if it is further off than `longest`
    seconds (the job was moved later, and its new schedule will run it)."""
    import time

    left = (when - timezone.now()).total_seconds()
    if left > longest:
        return False
    if left > 0:
        time.sleep(left)
    return True


def clear_expired_sessions() -> None:
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


# Each job once: the queue's task ids, and the run holding each.

_current = {"task": None}


def note_task(sender, func=None, task=None, **kwargs) -> None:
    """Django-Q2's pre_execute signal, in the worker, just before a job starts: the
    id of the task being run, for `run`. A task handed out twice has one id; its row
    in the queue (`ack_id`) is where it goes back if it is given back."""
    _current["task"] = (task or {}).get("id")
    _current["queued"] = (task or {}).get("ack_id")


# A stopping worker: a flag its first process raises and every process forked from it
# reads (library.cluster), and the signal that stops a job still running past the
# grace time.
_stop = {"flag": None}
GIVE_BACK_SIGNAL = signal.SIGUSR1


def share_stop_flag() -> None:
    """In the worker's first process, before it forks the others."""
    _stop["flag"] = multiprocessing.RawValue(ctypes.c_bool, False)


def ask_to_stop() -> None:
    _stop["flag"].value = True


def stopping() -> bool:
    """Whether this worker is stopping: a long job ends at its next safe point."""
    return bool(_stop["flag"] is not None and _stop["flag"].value)


class GivenBack(SystemExit):
    """The worker stops: the job was stopped (or not started) and is back in the
    queue for another worker. A SystemExit, which Django-Q2's worker does not catch:
    its process ends without a result, so nothing counts it as a failed attempt."""


def _give_back(signum, frame) -> None:
    if not _current.get("running"):
        return
    if _current.get("unstoppable"):
        _current["owed"] = True  # raised as the block ends (`unstoppable`)
        return
    _current["running"] = False
    raise GivenBack()


@contextmanager
def unstoppable():
    """A block of a job that must not stop half-done (a message handed to the mail
    server and marked sent): a give-back arriving inside it is raised as it ends."""
    _current["unstoppable"] = _current.get("unstoppable", 0) + 1
    try:
        yield
    finally:
        _current["unstoppable"] -= 1
        if not _current["unstoppable"] and _current.pop("owed", False) and (
                _current.get("running")):
            _current["running"] = False
            raise GivenBack()


def _return_to_queue(queued) -> None:
    """The task's row in the queue is free to take now, not after JOBS_RETRY."""
    from django_q.models import OrmQ

    if queued is not None and settings.Q_CLUSTER.get("orm"):
        OrmQ.objects.using(settings.Q_CLUSTER["orm"]).filter(pk=queued).update(
            lock=timezone.now())


class StillRunning(Exception):
    """The job was handed out again while a run of it goes on elsewhere. The copy is
    not acknowledged, so if that run fails or its worker dies, the queue's next hand-
    out runs it; once that run has ended, the next copy finds it done."""


def run(func: str, *args):
    """Run the job `func(*args)` for the task being run, unless a run of that same
    task is going on (StillRunning) or has ended well (nothing to do). Called
    directly (a command, a test), it just runs."""
    task, _current["task"] = _current["task"], None
    queued = _current.pop("queued", None)
    if task is None:
        return import_string(func)(*args)
    started, status = time.monotonic(), "failed"
    try:
        if stopping():
            _return_to_queue(queued)
            status = "given back"
            raise GivenBack()
        token = _hold(task, func)
        if token is None:
            from library.models import JobRun

            if JobRun.objects.filter(task=task, finished_at__isnull=False).exists():
                status = "already done"
                return None
            status = "still running elsewhere"
            raise StillRunning(f"Job {func} (task {task}) was handed out again while it "
                               "runs on another worker; not run beside it")
        try:
            result = _run_stoppable(func, args)
        except GivenBack:
            _let_go(task, token, finished=False)
            _return_to_queue(queued)
            status = "given back"
            raise
        except BaseException:
            _let_go(task, token, finished=False)  # the queue hands it out again
            raise
        _let_go(task, token, finished=True)
        status = "done"
        return result
    finally:
        _log_job(func, task, status, started)


def _run_stoppable(func: str, args):
    """Run the job; in a worker (the main thread of its process), GIVE_BACK_SIGNAL
    stops it with GivenBack."""
    if threading.current_thread() is not threading.main_thread():
        return import_string(func)(*args)
    signal.signal(GIVE_BACK_SIGNAL, _give_back)
    _current.update(running=True, owed=False)
    try:
        return import_string(func)(*args)
    finally:
        _current["running"] = False


def _log_job(func: str, task: str, status: str, started: float) -> None:
    """The job's one line in the worker's log (library.web.logs formats it)."""
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    level = logging.WARNING if status == "failed" else logging.INFO
    outcome = {
        "given back": "was given back to the queue: the worker stops",
        "already done": "was handed out again after it ended; not run again",
        "still running elsewhere": "was handed out again while it runs on another "
                                   "worker; not run beside it",
    }.get(status, status)
    logger.log(level, "Job %s (task %s) %s (%s ms)", func, task, outcome, duration_ms,
               extra={"job": func, "task": task, "status": status,
                      "duration_ms": duration_ms})


def _hold(task: str, func: str) -> str | None:
    """Hold the task's run for a job's time limit and a little more; None if a live
    run holds it or it ended well."""
    from library.db import insert_once
    from library.models import JobRun

    token, now = secrets.token_hex(8), timezone.now()
    until = now + timedelta(seconds=settings.Q_CLUSTER["timeout"] + JOB_HOLD_MARGIN)
    if insert_once(JobRun, task=task, func=func[:200], held_by=token, held_until=until):
        return token
    # A run whose worker died (killed at the time limit, or its machine) let go of
    # nothing: its hold runs out, and the next hand-out takes it over.
    taken = JobRun.objects.filter(Q(held_until__lt=now) | Q(held_until__isnull=True),
                                  task=task, finished_at__isnull=True).update(
        held_by=token, held_until=until, runs=F("runs") + 1)
    return token if taken else None


def _let_go(task: str, token: str, *, finished: bool) -> None:
    from library.models import JobRun

    JobRun.objects.filter(task=task, held_by=token).update(
        held_by="", held_until=None, finished_at=timezone.now() if finished else None)


def forget_old_runs(days: int = 2) -> int:
    """The schedule's job: finished runs older than the queue keeps any task."""
    from library.models import JobRun

    return JobRun.objects.filter(started_at__lt=timezone.now() - timedelta(days=days)
                                 ).delete()[0]


def check_timing(app_configs=None, **kwargs) -> list:
    """A system check: a job must be handed out again only after its run could have
    ended, or a run held for a worker that died would block its next hand-out."""
    from django.core.checks import Error

    q = settings.Q_CLUSTER
    if q["retry"] <= q["timeout"] + JOB_HOLD_MARGIN:
        return [Error(
            f"JOBS_RETRY ({q['retry']} s) must be longer than JOBS_TIMEOUT "
            f"({q['timeout']} s) and {JOB_HOLD_MARGIN} s more.", id="library.E002")]
    return []


# Long work in slices.

def in_slices(job: str, step, *, task_name: str, group: str) -> bool:
    """Call `step(out_of_time)` until it returns False (nothing left), or until half
    the job's time limit has passed or the worker stops, when `job` is queued again
    for the rest. A step that works through many items asks `out_of_time()` between
    them. True when everything was done."""
    stop_at = time.monotonic() + settings.Q_CLUSTER["timeout"] / 2

    def out_of_time() -> bool:
        return time.monotonic() > stop_at or stopping()

    while step(out_of_time):
        if out_of_time():
            queue(job, task_name=task_name, group=group)
            return False
    return True
