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
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from articles.models import Article
from articles.selectors import week_posts, week_rankings
from events.selectors import calls_on
from leaders.services import leaders_of_the_day
from library import db, jobs
from prayers.models import Prayer
from states.models import State

from . import mailer
from .models import Edition, Subscriber, Timetable

FAN_OUT_JOB = "updates.editions.fan_out"
BATCH = 500
PERIOD = {Edition.Kind.DAILY: timedelta(days=1), Edition.Kind.WEEKLY: timedelta(days=7),
          Edition.Kind.STATE: timedelta(days=1)}
# How far back a post not yet mailed is still news.
LOOK_BACK = {Edition.Kind.DAILY: timedelta(days=3), Edition.Kind.WEEKLY: timedelta(days=8),
             Edition.Kind.STATE: timedelta(days=3)}
MOST_POSTS = 20
MOST_PRAYED = 5


def new_posts(kind: str, until, state=None, *, first=False):
    """Published posts (about `state`, for its alert) not yet in an edition of `kind`
    (for that state), from the last LOOK_BACK; the first edition of a kind looks back
    one period only, so an archive is not mailed out a little each day."""
    mailed = Edition.posts.through.objects.filter(edition__kind=kind, edition__state=state)
    back = PERIOD[kind] if first else LOOK_BACK[kind]
    posts = Article.objects.published().filter(published_at__gt=until - back,
                                               published_at__lte=until)
    if state is not None:
        posts = posts.filter(states=state)
    return (posts.exclude(pk__in=mailed.values("article_id")).exclude(prayer__isnull=True)
            .order_by("-published_at", "-id")[:MOST_POSTS])


def content(edition: Edition) -> dict:
    """What an edition holds: its posts; for the daily email the posts most prayed
    and most read in the week to it; for the weekly digest the most prayed and the
    answered prayers of its week."""
    since, until = edition.since, edition.until
    # A post taken down since the edition was made is not mailed.
    found = {"posts": list(edition.posts.published().select_related("prayer")
                           .filter(prayer__status="published", prayer__is_deleted=False)
                           .order_by("-published_at", "-id")),
             "most_prayed": [], "answered": [], "requests": [], "calls": [],
             "week_prayed": [], "week_read": [], "leaders": []}
    if edition.kind == Edition.Kind.DAILY:
        # The week to the edition's moment, whenever a batch or its web page is made.
        week = week_posts(week_rankings(until=until))
        found["week_prayed"], found["week_read"] = week["prayed"], week["read"]
        found["leaders"] = leaders_of_the_day(edition.day)
    if edition.kind == Edition.Kind.STATE:
        found["requests"] = list(
            Prayer.objects.on_the_wall().filter(state_id=edition.state_id,
                                                published_at__gt=since,
                                                published_at__lte=until)
            .order_by("-published_at", "-id")[:MOST_POSTS])
        tomorrow = timezone.localtime(until).date() + timedelta(days=1)
        found["calls"] = calls_on(tomorrow, state_id=edition.state_id)
    if edition.kind == Edition.Kind.WEEKLY:
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


def send(kind: str, *, now=None, state=None) -> Edition | None:
    """Make the edition of `kind` (for `state`, a state alert) with what is new since
    the last one, and start its mailing; None when there is nothing to send (a daily
    email needs a post), nobody to send it to (its posts wait for the next one), or
    another worker just made it."""
    now = now or timezone.now()
    with transaction.atomic():
        Timetable.objects.select_for_update().filter(pk=Timetable.current().pk).first()
        if not audience(kind, state).exists():
            return None
        last = Edition.objects.filter(kind=kind, state=state).order_by("-until").first()
        since = last.until if last else now - PERIOD[kind]
        if since >= now:
            return None
        posts = list(new_posts(kind, now, state, first=last is None))
        edition = Edition(kind=kind, since=since, until=now, state=state)
        if not posts:
            if kind == Edition.Kind.DAILY:
                return None
            edition.save()  # a digest or an alert may carry prayers alone
            found = content(edition)
            if not any(found[name] for name in ("most_prayed", "answered", "requests",
                                                "calls")):
                edition.delete()
                return None
        else:
            edition.save()
            edition.posts.set(posts)
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
        (Edition.Kind.STATE, last_moment(now, at=table.daily_at)),
    ]:
        done_for = getattr(table, f"{kind}_done_for")
        if done_for is not None and done_for >= moment:
            continue
        if kind == Edition.Kind.STATE:  # each state with subscribers, at most once a day
            for state_id in (Subscriber.objects.filter(
                    state__isnull=False, confirmed_at__isnull=False, left_at__isnull=True)
                    .values_list("state_id", flat=True).distinct().order_by()):
                edition = send(kind, now=now, state=State.objects.get(pk=state_id))
                made += [edition] if edition else []
        elif edition := send(kind, now=now):
            made.append(edition)
        # Handled, sent or not: the next one is at the next moment the timetable names.
        Timetable.objects.filter(pk=table.pk).update(**{f"{kind}_done_for": moment})
    if made:
        fan_out()
    return made


def audience(kind: str, state=None):
    """The subscribers who chose editions of `kind` (of `state`, for its alerts)."""
    chose = {"state": state} if kind == Edition.Kind.STATE else {kind: True}
    return Subscriber.objects.filter(**chose, confirmed_at__isnull=False, left_at__isnull=True)


def fan_out(batch: int = BATCH) -> int:
    """The job: mail every edition still going out to its subscribers, a batch at a
    time. Returns the number of mails recorded."""
    recorded = 0
    found: dict[int, dict] = {}

    def mail(edition: Edition, subscribers: list[Subscriber]) -> dict:
        nonlocal recorded
        if edition.pk not in found:
            found[edition.pk] = content(edition)
        marks = mailer.Marks()
        sent = mailer.send_batch(f"updates/email/{edition.kind}",
                                 context(edition, found[edition.pk], marks),
                                 readers(subscribers), key=f"edition-{edition.pk}", marks=marks,
                                 prayers=prayers_in(found[edition.pk]))
        mailer.went_out(edition, sent)
        recorded += sent
        return {"sent_count": F("sent_count") + sent}

    def step(out_of_time) -> bool:
        return db.work_through(
            Edition.objects.filter(done_at__isnull=True).order_by("created_at", "id"),
            lambda edition: audience(edition.kind, edition.state_id).select_related("member"),
            mail, size=batch, upto="sent_upto", done=lambda _: {"done_at": timezone.now()})

    jobs.in_slices(FAN_OUT_JOB, step, task_name="Mail prayer updates", group="updates")
    return recorded


def readers(subscribers: list[Subscriber]) -> list[Subscriber]:
    """Of a batch, those to mail: a member's account must take mail, and an address
    that is now a member's, who chose on their profile, gets one copy."""
    members_own = set(Subscriber.objects.filter(member__isnull=False, left_at__isnull=True)
                      .annotate(address=Lower("member__email"))
                      .filter(address__in=[s.email.lower() for s in subscribers
                                           if not s.member_id])
                      .values_list("address", flat=True))
    return [s for s in subscribers
            if (s.member_id and s.member.can_be_mailed)
            or (not s.member_id and s.email.lower() not in members_own)]


def prayers_in(found: dict) -> list[Prayer]:
    return ([post.prayer for post in found["posts"]] + found["most_prayed"]
            + found["answered"] + found["requests"]
            + [leader.prayer for leader in found["leaders"]])


def context(edition: Edition, found: dict, marks: mailer.Marks) -> dict:
    """The edition's mail, the same for every reader: their own links are marks
    filled in per reader. Its page in the web archive is this too, with marks that
    link nowhere (`archive.OnTheWeb`)."""
    def item(prayer, **extra):
        return {"prayer": prayer, "text": prayer.plain_text, "count": prayer.prayed_count,
                "pray_url": marks.pray(prayer),
                "link": settings.SITE_URL + prayer.get_absolute_url(), **extra}

    return {
        "edition": edition,
        "posts": [item(post.prayer, post=post, excerpt=post.teaser or post.summary,
                       link=settings.SITE_URL + post.get_absolute_url())
                  for post in found["posts"]],
        "most_prayed": [item(p, week=p.week) for p in found["most_prayed"]],
        "answered": [item(p) for p in found["answered"]],
        "requests": [item(p, who=p.author_label) for p in found["requests"]],
        "leaders": [item(leader.prayer, leader=leader,
                         link=settings.SITE_URL + leader.get_absolute_url())
                    for leader in found["leaders"]],
        "calls": [{"call": call, "start": start,
                   "link": settings.SITE_URL + call.get_absolute_url()}
                  for call, start in found["calls"]],
        "week_prayed": [{"post": post, "count": post.prayed,
                         "link": settings.SITE_URL + post.get_absolute_url()}
                        for post in found["week_prayed"]],
        "week_read": [{"post": post, "count": post.readers,
                       "link": settings.SITE_URL + post.get_absolute_url()}
                      for post in found["week_read"]],
        "this_week": {"prayed": found["week_prayed"], "read": found["week_read"]},
        "state": edition.state,
        "leave_url": marks.leave,
        "day": edition.day,
        "web_url": mailer.web_url(edition),
    }
