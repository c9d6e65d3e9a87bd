"""Urgent prayer requests by email: once staff mark a request urgent, subscribers who
chose urgent requests hear of it (a state's request, those who follow that state; the
nation's, everyone who chose them), each request once, in at most one mail a day.
A request marked urgent after a subscriber's mail of the day waits for the next day's.

Each subscriber's mail is recorded in the outbox in the same transaction as the row
that says it went (`UrgentMail`, one per subscriber and day), so a job that runs
twice, or two workers at once, tell no one twice."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from library import jobs
from library.mail import outbox
from prayers.models import Prayer, urgent_since

from . import mailer
from .editions import readers
from .models import Subscriber, UrgentMail
from .services import pray_url

JOB = "updates.urgent.send_urgent"
BATCH = 200


def urgent_now():
    """Requests on the wall that staff marked urgent in the last URGENT_HOURS hours."""
    return Prayer.objects.on_the_wall().filter(urgent_at__gt=urgent_since(),
                                               urgent_at__lte=timezone.now())


def _for(subscriber_state):
    """Of the urgent requests, those for a subscriber who follows `subscriber_state`
    (an id, an OuterRef, or None): the nation's, and their state's."""
    if subscriber_state is None:
        return Q(state__isnull=True)
    return Q(state__isnull=True) | Q(state_id=subscriber_state)


def _untold(prayers, subscriber):
    told = UrgentMail.prayers.through.objects.filter(prayer_id=OuterRef("pk"),
                                                     urgentmail__subscriber=subscriber)
    return prayers.filter(~Exists(told))


def waiting(day):
    """Subscribers who chose urgent requests, have had no such mail on `day`, and have
    one to hear of."""
    # One level down from the subscriber: the requests; two: what they were told.
    due = _untold(urgent_now().filter(_for(OuterRef("state_id"))), OuterRef(OuterRef("pk")))
    return (Subscriber.objects.filter(urgent=True, confirmed_at__isnull=False,
                                      left_at__isnull=True)
            .exclude(urgent_mails__day=day)
            .filter(Exists(due.values("pk")))
            .select_related("member", "state").order_by("id"))


def send_urgent() -> int:
    """The job (every 10 minutes, and queued when staff mark a request urgent): mail
    each subscriber who has not had one today the urgent requests they have not been
    told of. Returns the number of mails recorded."""
    day = timezone.localdate()
    sent = 0
    after = 0

    def step(out_of_time) -> bool:
        nonlocal sent, after
        batch = list(waiting(day).filter(pk__gt=after)[:BATCH])
        if not batch:
            return False
        for subscriber in readers(batch):
            sent += _mail(subscriber, day)
        after = batch[-1].pk
        return True

    if urgent_now().exists():
        jobs.in_slices(JOB, step, task_name="Mail urgent prayer requests", group="updates")
    return sent


def _mail(subscriber: Subscriber, day) -> int:
    try:
        with transaction.atomic():
            mail = UrgentMail.objects.create(subscriber=subscriber, day=day)
            prayers = list(_untold(urgent_now().filter(_for(subscriber.state_id)), subscriber)
                           .order_by("-urgent_at", "-id"))
            if not prayers:
                raise _Nothing
            mail.prayers.set(prayers)
            leave_url = subscriber.leave_url
            outbox.send("updates/email/urgent", {
                "requests": [{"who": p.author_label, "text": p.plain_text,
                              "for": p.state.name if p.state_id else "the nation",
                              "link": settings.SITE_URL + p.get_absolute_url(),
                              "pray_url": pray_url(subscriber, p)} for p in prayers],
                "state": subscriber.state, "leave_url": leave_url, "day": day,
            }, to=subscriber.address, member=subscriber.member, html=True, bulk=True,
                headers=mailer.unsubscribe_headers(leave_url))
            return 1
    except (IntegrityError, _Nothing):
        return 0  # told today already (another run), or nothing left to tell


class _Nothing(Exception):
    """Nothing to tell this subscriber after all: the day's row is not kept."""
