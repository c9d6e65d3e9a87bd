"""The daily email and the weekly digest: what each covers, when it goes, and its
mailing to every subscriber who chose it, exactly once.

An edition covers the time since the last of its kind. `send` makes one (under a
lock, so two workers make one between them) if there is something to send; then
`fan_out` records a mail per subscriber, a batch of subscribers per transaction,
each batch's mails committed with how far the mailing got (`sent_upto`), so a
worker that dies mid-way leaves nothing sent twice and nothing lost."""
import datetime
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article
from intercessors import jobs, outbox
from prayers.models import Prayer

from .models import Edition, Subscriber, Timetable
from .services import pray_url

FAN_OUT_JOB = "updates.editions.fan_out"
BATCH = 500
PERIOD = {Edition.Kind.DAILY: timedelta(days=1), Edition.Kind.WEEKLY: timedelta(days=7)}
MOST_POSTS = 20
MOST_PRAYED = 5


def content(kind: str, since, until) -> dict:
    """What an edition covering (since, until] holds; empty lists when nothing."""
    posts = list(Article.objects.published()
                 .filter(published_at__gt=since, published_at__lte=until)
                 .select_related("prayer").order_by("-published_at", "-id")[:MOST_POSTS])
    found = {"posts": [p for p in posts if p.opening_prayer], "most_prayed": [],
             "answered": []}
    if kind == Edition.Kind.WEEKLY:
        found["most_prayed"] = list(
            Prayer.objects.visible()
            .annotate(week=Count("marks", filter=Q(marks__created_at__gt=since,
                                                   marks__created_at__lte=until)))
            .filter(week__gt=0).select_related("article", "state", "author")
            .order_by("-week", "-id")[:MOST_PRAYED])
        found["answered"] = list(
            Prayer.objects.visible().filter(answered_at__gt=since, answered_at__lte=until)
            .select_related("article", "state", "author").order_by("-answered_at")[:MOST_PRAYED])
    return found


def is_empty(found: dict) -> bool:
    return not any(found.values())


def send(kind: str, *, now=None) -> Edition | None:
    """Make the edition of `kind` covering the time since the last one, and start its
    mailing; None when there is nothing to send (a day without posts sends nothing,
    and the next edition covers that day too) or another worker just made it."""
    now = now or timezone.now()
    with transaction.atomic():
        Timetable.objects.select_for_update().filter(pk=Timetable.current().pk).first()
        last = Edition.objects.filter(kind=kind).order_by("-until").first()
        since = last.until if last else now - PERIOD[kind]
        if since >= now:
            return None
        kind_content = content(kind, since, now)
        if (kind == Edition.Kind.DAILY and not kind_content["posts"]) or is_empty(kind_content):
            return None
        try:
            with transaction.atomic():
                edition = Edition.objects.create(kind=kind, since=since, until=now)
        except IntegrityError:
            return None
        jobs.soon(FAN_OUT_JOB, task_name="Mail prayer updates", group="updates")
    return edition


def last_moment(now, *, at: datetime.time, weekday: int | None = None) -> datetime.datetime:
    """The latest time at or before `now` that the timetable names."""
    local = timezone.localtime(now)
    day = local.date()
    if weekday is not None:
        day -= timedelta(days=(day.weekday() - weekday) % 7)
    moment = timezone.make_aware(datetime.datetime.combine(day, at))
    if moment > now:
        moment -= timedelta(days=7 if weekday is not None else 1)
    return moment


def send_due(now=None) -> list[Edition]:
    """The job (every 10 minutes): send the daily email and the weekly digest when the
    timetable says, once each, even if no worker ran at the very moment."""
    now = now or timezone.now()
    table = Timetable.current()
    made = []
    for kind, moment in [
        (Edition.Kind.DAILY, last_moment(now, at=table.daily_at)),
        (Edition.Kind.WEEKLY, last_moment(now, at=table.weekly_at, weekday=table.weekly_on)),
    ]:
        if not Edition.objects.filter(kind=kind, until__gte=moment).exists():
            edition = send(kind, now=now)
            if edition is not None:
                made.append(edition)
    if made:
        fan_out()
    return made


def fan_out(batch: int = BATCH) -> int:
    """The job: mail every edition still going out to its subscribers, a batch at a
    time. Returns the number of mails recorded."""
    recorded = 0
    cache: dict[int, dict] = {}
    while True:
        with transaction.atomic():
            edition = (Edition.objects.select_for_update(skip_locked=True)
                       .filter(done_at__isnull=True).order_by("created_at", "id").first())
            if edition is None:
                return recorded
            if edition.pk not in cache:
                cache[edition.pk] = content(edition.kind, edition.since, edition.until)
            recorded += _mail_batch(edition, cache[edition.pk], batch)


def _mail_batch(edition: Edition, found: dict, batch: int) -> int:
    subscribers = list(
        Subscriber.objects.filter(**{edition.kind: True}, confirmed_at__isnull=False,
                                  left_at__isnull=True, pk__gt=edition.sent_upto)
        .select_related("member").order_by("pk")[:batch])
    sent = 0
    for subscriber in subscribers:
        member = subscriber.member
        if member is not None and (not member.is_active or member.deleted_at
                                   or not member.email):
            continue
        mail(edition, found, subscriber)
        sent += 1
    fields = {"sent_count": edition.sent_count + sent}
    if subscribers:
        fields["sent_upto"] = subscribers[-1].pk
    if len(subscribers) < batch:
        fields["done_at"] = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(**fields)
    return sent


def mail(edition: Edition, found: dict, subscriber: Subscriber):
    """One subscriber's copy: their own "I Prayed" buttons and leaving link."""
    def item(prayer, **extra):
        return {"prayer": prayer, "text": prayer.plain_text, "count": prayer.prayed_count,
                "pray_url": pray_url(subscriber, prayer),
                "link": settings.SITE_URL + prayer.get_absolute_url(), **extra}

    posts = [item(post.prayer, post=post, excerpt=post.teaser or post.summary,
                  link=settings.SITE_URL + post.get_absolute_url())
             for post in found["posts"]]
    return outbox.send(f"updates/email/{edition.kind}", {
        "edition": edition, "posts": posts,
        "most_prayed": [item(p, week=p.week) for p in found["most_prayed"]],
        "answered": [item(p) for p in found["answered"]],
        "leave_url": subscriber.leave_url,
        "day": timezone.localtime(edition.until).date(),
    }, to=subscriber.address, member=subscriber.member, html=True,
        headers=unsubscribe_headers(subscriber))


def unsubscribe_headers(subscriber: Subscriber) -> dict:
    """RFC 8058 one-click unsubscribe, which large mailbox providers require of bulk
    mail: an https link that takes a POST, and a mailto only when one is set."""
    links = [f"<{subscriber.leave_url}>"]
    if settings.UNSUBSCRIBE_MAILTO:
        links.append(f"<mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(links),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
