"""Background work on Django-Q2: the schedules the site keeps, and jobs at a moment.

Apps register what runs on a schedule (`every`) from their AppConfig.ready(); after
each `migrate` the schedules are written to Django-Q2's table, where they survive
restarts and any worker on any machine runs them, each run once."""
import logging
from datetime import datetime, timedelta
from functools import partial
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

SCHEDULES: dict[str, dict] = {}


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
            schedule.func, schedule.minutes = spec["func"], spec["minutes"]
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

    async_task(func, task_name=task_name, group=group)


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
            "func": func, "args": repr(tuple(args)), "schedule_type": Schedule.ONCE,
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
