"""Staff mailings: who they reach (and how many will actually be mailed), a test
copy, sending now or at a set time, stopping one scheduled, and the mailing itself
a batch of readers per transaction. Pressing send twice, or a worker dying mid-way,
still gives each reader one copy."""
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from library import db, jobs
from library.mail import outbox
from library.text.markup import markdown_to_text, render_markdown

from . import mailer
from .editions import readers
from .models import Mailing, Subscriber

FAN_OUT_JOB = "updates.mailings.fan_out"
BATCH = 500
REACH_BATCH = 2000

NOBODY = "Nobody is in this audience yet, so nothing was sent."
TIME_PASSED = ("The time you set has passed, so nothing was sent. Set a new time, or clear it "
               "to send now.")
NOBODY_MAILABLE = ("No one in this audience can be mailed now: their addresses bounced or "
                   "reported our mail as spam, or their accounts are closed. Nothing was sent.")


class CannotSend(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def audience(mailing: Mailing):
    """The subscribers a mailing reaches: confirmed, still subscribed."""
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False, left_at__isnull=True)
    if mailing.audience == Mailing.Audience.STATE:
        return subscribers.filter(state_id=mailing.state_id)
    if mailing.audience == Mailing.Audience.PRAYED:
        # Prayed from the inbox, or a member who prayed on the site.
        return subscribers.filter(
            Q(prayer_marks__prayer_id=mailing.prayer_id)
            | Q(member__prayer_marks__prayer_id=mailing.prayer_id)).distinct()
    return subscribers


def reach(mailing: Mailing, *, batch: int = REACH_BATCH) -> int:
    """How many copies sending it now would record: its audience, less those the
    fan-out leaves out (`readers`: closed accounts, an address that is a member's
    too) and suppressed addresses. Read as the fan-out reads, a batch at a time,
    so the number staff confirm is the number that goes."""
    count, after = 0, 0
    while True:
        subscribers = list(audience(mailing).filter(pk__gt=after).select_related("member")
                           .order_by("pk")[:batch])
        count += len(outbox.takes_bulk([s.address for s in readers(subscribers)]))
        if len(subscribers) < batch:
            return count
        after = subscribers[-1].pk


def check(mailing: Mailing, *, now=None) -> int:
    """Asked before sending: the number of readers it would reach, or CannotSend
    saying why it cannot go as it stands."""
    _refuse(mailing, now or timezone.now())
    count = reach(mailing)
    if not count:
        raise CannotSend(NOBODY_MAILABLE)
    return count


def _refuse(mailing: Mailing, now) -> None:
    """CannotSend if the mailing cannot go as it stands: no one to send to, or a
    time set that has passed (it is not sent at once without asking)."""
    if not audience(mailing).exists():
        raise CannotSend(NOBODY)
    if mailing.send_at and mailing.send_at <= now:
        raise CannotSend(TIME_PASSED)


def render_body(body: str) -> str:
    """A letter's HTML: a line break typed inside a paragraph stays one, so a
    sign-off written on two lines reaches the reader on two lines, and a link to a
    page of the site ("/states/texas/") is written in full, as a mail needs."""
    return render_markdown(body, line_breaks=True, site_url=settings.SITE_URL)


def render(mailing: Mailing) -> None:
    mailing.body_html = render_body(mailing.body)


def context(mailing: Mailing, leave_url: str) -> dict:
    """The letter's mail, the same for every reader but the link to leave. Its text
    part is the letter without Markdown, read from the same rendering as its HTML
    (line breaks kept)."""
    return {"mailing": mailing, "body_html": mailing.body_html,
            "body_text": markdown_to_text(mailing.body, line_breaks=True,
                                          site_url=settings.SITE_URL),
            "post_url": settings.SITE_URL + mailing.post.get_absolute_url()
            if mailing.post_id else "", "leave_url": leave_url,
            "web_url": mailer.web_url(mailing)}


def send_test(mailing: Mailing, *, to) -> None:
    """A copy to the staff member, marked as a test; it counts for no one."""
    outbox.send("updates/email/mailing", {**context(mailing, settings.SITE_URL + "/updates/"),
                                          "test": True},
                to=to.email, member=to, html=True)


@transaction.atomic
def start(mailing: Mailing, *, now=None) -> Mailing:
    """Send now (or, with `send_at` ahead, at that time). Pressed again while it is
    scheduled, sending or sent, nothing more happens."""
    now = now or timezone.now()
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if mailing.status in (Mailing.Status.SENDING, Mailing.Status.SENT):
        return mailing
    _refuse(mailing, now)
    if mailing.send_at:
        mailing.status = Mailing.Status.SCHEDULED
        mailing.save(update_fields=["status"])
        jobs.at(_job_name(mailing), "updates.mailings.go", mailing.send_at, mailing.pk)
        return mailing
    mailing.status, mailing.started_at = Mailing.Status.SENDING, now
    mailing.save(update_fields=["status", "started_at"])
    jobs.soon(FAN_OUT_JOB, task_name="Send a staff mailing", group="updates")
    return mailing


def go(pk: int) -> None:
    """The scheduled moment (jobs.at): start the mailing if it is still scheduled."""
    mailing = Mailing.objects.filter(pk=pk, status=Mailing.Status.SCHEDULED).first()
    if mailing is None or not jobs.wait_until(mailing.send_at):
        return
    # Only at the time it waited for: stopped and set for later meanwhile, it waits
    # for its new time.
    with transaction.atomic():
        Mailing.objects.filter(pk=pk, status=Mailing.Status.SCHEDULED,
                               send_at=mailing.send_at).update(
            status=Mailing.Status.SENDING, started_at=timezone.now())
    fan_out()


def unschedule(mailing: Mailing, *, now=None) -> bool:
    """Stop a scheduled mailing before its time: a draft again. True if it was
    stopped; once its time has come it is going out, and nothing is changed."""
    stopped = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SCHEDULED,
                                     send_at__gt=now or timezone.now()).update(
        status=Mailing.Status.DRAFT)
    if stopped:
        jobs.cancel(_job_name(mailing))
    return bool(stopped)


def _job_name(mailing: Mailing) -> str:
    return f"Mailing {mailing.pk} goes out"


def fan_out(batch: int = BATCH) -> int:
    """The job (queued when a mailing starts, and every minute): start scheduled
    mailings whose time has come, then send every mailing that is sending, a batch
    of readers per transaction. Returns the number of copies recorded."""
    now = timezone.now()
    Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now).update(
        status=Mailing.Status.SENDING, started_at=now)
    recorded = 0

    def mail(mailing: Mailing, subscribers: list[Subscriber]) -> dict:
        nonlocal recorded
        marks = mailer.Marks()
        sent = mailer.send_batch("updates/email/mailing", context(mailing, marks.leave),
                                 readers(subscribers), key=mailing.batch_key, marks=marks)
        mailer.went_out(mailing, sent)
        recorded += sent
        return {"recorded": F("recorded") + sent}

    def step(out_of_time) -> bool:
        return db.work_through(
            Mailing.objects.select_related("post").filter(status=Mailing.Status.SENDING)
            .order_by("started_at", "id"),
            lambda mailing: audience(mailing).select_related("member"), mail, size=batch,
            upto="sent_upto",
            done=lambda _: {"status": Mailing.Status.SENT, "done_at": timezone.now()})

    jobs.in_slices(FAN_OUT_JOB, step, task_name="Send a staff mailing", group="updates")
    return recorded


def progress(mailing: Mailing) -> dict[str, int]:
    """Its mail in the outbox: waiting, sent, failed."""
    counts = {status: 0 for status in ("waiting", "sent", "failed")}
    for row in outbox.batch_counts(mailing.batch_key):
        counts[row["status"]] = row["n"]
    return counts
