"""Whether the background work is getting done: the worker's answer in /healthz, and
the heartbeat a monitor outside the site waits for (HEARTBEAT_URL).

A job worker is alive when it runs jobs. Every job a worker runs records its run
(library.jobs.run, `JobRun`) as it starts, and several schedules run every minute,
so the newest run's start is the worker's last sign of life, read from one index.
Django-Q2's own tables prove less: a schedule's next run moves when the scheduler
queues its job, even if no worker ever takes it, and a success row is written
only when a job ends, not for one still running."""
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from library import caches

logger = logging.getLogger(__name__)

# No job started for this long: the worker is down, or stuck (a job starts every minute).
WORKER_SILENT = timedelta(minutes=5)
# Mail due this long ago and still waiting: the outbox is not being emptied.
MAIL_LATE = timedelta(minutes=15)
HEARTBEAT_TIMEOUT = 5  # seconds; the next minute's ping tries again


def worker_status() -> str:
    """"ok", or why the background work is behind. Two indexed queries."""
    from library.models import JobRun, OutboxMessage

    now = timezone.now()
    reasons = []
    last = (JobRun.objects.order_by("-started_at")
            .values_list("started_at", flat=True).first())
    if last is None:
        reasons.append("no job has run yet: is a worker (manage.py qcluster) running?")
    elif last < now - WORKER_SILENT:
        reasons.append("no job has started for more than 5 minutes")
    # The partial index on waiting mail's next_try_at answers this.
    if OutboxMessage.objects.filter(status=OutboxMessage.Status.WAITING,
                                    next_try_at__lt=now - MAIL_LATE).exists():
        reasons.append("mail has waited more than 15 minutes")
    return "; ".join(reasons) or "ok"


def ping_heartbeat() -> bool:
    """The schedule's job, every minute: GET HEARTBEAT_URL, so a monitor that hears
    nothing for a while (healthchecks.io and the like) tells someone the worker is
    down. A failed ping is logged, never raised: the monitor's silence is the alarm.
    True if the monitor answered."""
    url = settings.HEARTBEAT_URL
    if not url:
        return False
    try:
        with urllib.request.urlopen(url, timeout=HEARTBEAT_TIMEOUT) as response:
            response.read(1024)
    except Exception as error:  # an unreachable monitor must not fail the job
        # Not the URL: anyone who has it can ping the monitor in the worker's place.
        logger.warning("The heartbeat ping failed: %s", error)
        return False
    return True


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 503 only when the database is away, since then nothing
    works. Without Redis the site still serves every page, more slowly, and
    without a job worker it serves every page but sends no mail: either is
    "degraded" with a 200, since one shared Redis or worker going down must not
    take every web server out of the pool. It names no server, address or error:
    anyone may ask. `HealthCheckMiddleware` answers it before the host is checked."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return _answer({"status": "unavailable", "database": "unavailable"}, status=503)
    cache = caches.status()
    try:
        worker = worker_status()
    except DatabaseError:  # a table being migrated, say: no reason to fail the server
        worker = "unknown: the database did not answer"
    ok = cache == "ok" and worker == "ok"
    return _answer({"status": "ok" if ok else "degraded", "database": "ok",
                    "cache": cache, "worker": worker})


def _answer(data: dict, status: int = 200) -> JsonResponse:
    # Answered ahead of the security middleware, so it sets its one header itself.
    response = JsonResponse(data, status=status)
    response["X-Content-Type-Options"] = "nosniff"
    return response
