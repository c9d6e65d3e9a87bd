"""Plain functions that make the rows tests need."""
import itertools

from allauth.account.models import EmailAddress

from accounts.models import User

DEFAULT_PASSWORD = "a-long-prayerful-password"
_seq = itertools.count(1)


def make_member(
    *, email=None, password=DEFAULT_PASSWORD, display_name=None, verified=True, **extra
):
    n = next(_seq)
    email = email or f"member{n}@example.org"
    user = User(
        username=f"member{n}",
        email=email,
        display_name=display_name if display_name is not None else f"Member {n}",
        **extra,
    )
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_seasoned_member(**extra):
    """A verified member who joined more than a day ago: their reports can hold a comment."""
    from datetime import timedelta

    from django.utils import timezone

    return make_member(date_joined=timezone.now() - timedelta(days=2), **extra)


def make_topic(name="Families"):
    from django.utils.text import slugify

    from articles.models import Topic

    topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return topic


def make_article(
    *,
    title=None,
    status="published",
    published_at=None,
    body="A short excerpt about a town that needs prayer.",
    prayer_text="Father, we pray for this town and every family in it.",
    topics=(),
    states=(),
    **extra,
):
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.models import Article
    from articles.services import save_post

    n = next(_seq)
    title = title or f"Prayer post number {n}"
    published_at = published_at or timezone.now() - timezone.timedelta(hours=n)
    article = Article(
        title=title,
        slug=extra.pop("slug", f"{slugify(title)}-{n}"),
        status=status,
        published_at=published_at,
        body=body,
        **extra,
    )
    return save_post(article=article, prayer_text=prayer_text, topics=topics, states=states)


def make_prayer(*, text="Father, we pray for our state tonight.", state=None, **extra):
    from prayers.models import Prayer

    return Prayer.objects.create(text=text, state=state, **extra)


def make_comment(*, target, author, body="Praying with you.", parent=None, **extra):
    """A comment written straight to the table (no flood rule), rendered as the service does."""
    from comments.models import Comment
    from comments.targets import content_type_for
    from library.text.markup import render_markdown

    return Comment.objects.create(
        content_type=content_type_for(target),
        object_id=target.pk,
        author=author,
        parent=parent,
        depth=min(parent.depth + 1, 5) if parent else 1,
        body=body,
        body_html=render_markdown(body),
        **extra,
    )


def make_request(*, author, text="Please pray for my mother's surgery on Friday.", state=None,
                 anonymous=False, **extra):
    """A prayer request written straight to the table (no pace rule), rendered as the
    service renders it."""
    from django.utils import timezone

    from library.text.markup import render_markdown
    from prayers.models import Prayer, wall_until

    extra.setdefault("published_at", extra.get("created_at") or timezone.now())
    extra.setdefault("expires_at", wall_until(extra["published_at"]))
    prayer = Prayer.objects.create(
        kind=Prayer.Kind.REQUEST, author=author, text=text, state=state, anonymous=anonymous,
        body_html=render_markdown(text), **extra,
    )
    if "created_at" in extra:  # auto_now_add ignores a value given to create()
        Prayer.objects.filter(pk=prayer.pk).update(created_at=extra["created_at"])
        prayer.created_at = extra["created_at"]
    return prayer


def make_job_run(*, minutes_ago=0, func="library.mail.outbox.deliver_waiting"):
    """A job a worker started `minutes_ago` (library.jobs.run records one per job):
    what /healthz reads as the worker's last sign of life."""
    from datetime import timedelta

    from django.utils import timezone

    from library.models import JobRun

    return JobRun.objects.create(task=f"task-{next(_seq)}", func=func,
                                 started_at=timezone.now() - timedelta(minutes=minutes_ago),
                                 finished_at=timezone.now())


def make_event(*, title="National prayer call", start=None, minutes=60,
               time_zone="America/New_York", repeat="none", **extra):
    """An event starting at `start` (a naive local datetime in `time_zone`; default:
    tomorrow at 7 pm there), lasting `minutes`; a repeating one runs for a year unless
    told otherwise."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from events.models import Event

    if start is None:
        start = datetime.combine(timezone.localdate() + timedelta(days=1), time(19, 0))
    end = start + timedelta(minutes=minutes)
    if repeat != "none" and "repeat_count" not in extra:
        extra.setdefault("repeat_until", start.date() + timedelta(days=365))
    event = Event(title=title, time_zone=time_zone, start_date=start.date(),
                  start_time=start.time(), end_date=end.date(), end_time=end.time(),
                  repeat=repeat, **extra)
    event.full_clean()
    event.save()
    return event
