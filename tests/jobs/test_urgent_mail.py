"""Urgent requests by email with a real worker and a real SMTP server: staff's
approval queues the job, the worker records each subscriber's mail once and delivers
it; a second urgent request the same day adds no second mail."""
import time

import pytest
from django.utils import timezone

from library.models import JobRun, OutboxMessage
from prayers.models import Prayer
from prayers.services import approve_urgent
from states.models import State
from tests.factories import make_member, make_request
from tests.jobs.conftest import wait_until
from updates.models import Subscriber, UrgentMail

pytestmark = pytest.mark.postgres_pass


def approved(text, state):
    prayer = make_request(author=make_member(), text=text, state=state,
                          urgent_asked_at=timezone.now())
    approve_urgent(Prayer.objects.filter(pk=prayer.pk))  # queues the job, as admin does
    return prayer


def test_an_approved_urgent_request_reaches_each_subscriber_who_chose_it_once(
        workers, mail_server):
    """About 15 s: a worker mails the first urgent request; the job run again for a
    second one the same day brings no second mail."""
    texas = State.objects.get(code="TX")
    Subscriber.objects.create(email="watcher@example.org", urgent=True, state=texas,
                              confirmed_at=timezone.now())
    Subscriber.objects.create(email="daily@example.org", daily=True, state=texas,
                              confirmed_at=timezone.now())
    worker = workers()
    approved("Pray for the families after the tornado in Lubbock", texas)
    received = mail_server.inbox.wait_for(1, timeout=30)
    assert [m["To"] for m in received] == ["watcher@example.org"], worker.output()
    assert "tornado" in received[0].as_string() or "tornado" in str(
        received[0].get_payload(0).get_payload(decode=True))
    assert wait_until(lambda: OutboxMessage.objects.filter(
        kind="updates/email/urgent", status="sent").count() == 1, 10), worker.output()

    def runs():
        return JobRun.objects.filter(func="updates.urgent.send_urgent",
                                     finished_at__isnull=False).count()

    before = runs()
    approved("Pray for the rescue teams in the hills", texas)
    # The job the approval queued ran, and told no one twice; nor does the outbox.
    assert wait_until(lambda: runs() > before, 20), worker.output()
    time.sleep(2)
    assert len(mail_server.inbox.messages) == 1
    assert OutboxMessage.objects.filter(kind="updates/email/urgent").count() == 1
    assert UrgentMail.objects.get().prayers.count() == 1
