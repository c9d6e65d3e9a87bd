"""What happens to a prayer after it is asked: updates and answers, the word to
everyone who prayed, the requester's daily count of prayers, and a request's time
on the wall (expiry, the reminder before it, renewal).

Every mail is recorded in the outbox in the same transaction as the row that says
it was sent (an answer's `told_at`, a day's `PrayedDigest`, a request's
`reminded_for`), so a job that runs twice, or two workers at once, tell no one twice.
"""
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from library import db, jobs
from library.mail import outbox
from library.pages import pagecache
from library.templatetags.moments import reader_time
from library.text.markup import count_links, html_to_text, render_markdown
from library.text.moderation import Refused, Status, check_pace, clean_text

from .models import (
    UPDATE_MAX_LENGTH,
    PrayedDigest,
    Prayer,
    PrayerMark,
    PrayerNote,
    PrayerUpdate,
    wall_until,
)

REMIND_DAYS = 3
MOST_UPDATES = 20
TELL_JOB = "prayers.followup.tell_answered"
# Mails about answers are recorded this many at a time, each batch in its own
# transaction, so a prayer thousands prayed for never holds one long transaction.
TELL_BATCH = 500


def clean_update_text(text: str) -> str:
    return clean_text(text, max_length=UPDATE_MAX_LENGTH, noun="update")


def check_can_update(prayer: Prayer, user) -> None:
    """The requester updates their own request; staff update our team's prayers
    (in admin). Nobody else, and nothing deleted or removed."""
    if prayer.is_deleted or prayer.status == Status.REMOVED:
        raise PermissionDenied("This prayer can no longer be updated.")
    if prayer.is_request:
        if prayer.author_id is None or prayer.author_id != user.pk:
            raise PermissionDenied("Only the member who asked can update this request.")
    elif not user.has_perm("prayers.add_prayerupdate"):
        raise PermissionDenied("Only our team can update this prayer.")


@transaction.atomic
def add_update(*, prayer: Prayer, user, text: str, answered: bool = False) -> PrayerUpdate:
    """Tell what happened since the prayer was asked; `answered` marks it answered,
    with `text` as the praise note, and everyone who prayed is told. A plain update
    keeps a request on the wall for another WALL_DAYS days."""
    check_can_update(prayer, user)
    text = clean_update_text(text)
    body_html = render_markdown(text)
    if prayer.is_request and count_links(body_html):
        # An update goes out at once, by mail too: no links, so none waits for staff.
        raise Refused("Please leave links out of updates. Your text is still here.")
    # Lock the prayer: two answers at once would both claim to be the answer.
    prayer = Prayer.objects.select_for_update().get(pk=prayer.pk)
    if prayer.is_answered:
        raise Refused("This prayer is already marked answered. Thank you for telling us!")
    if prayer.is_request:
        check_pace(user, PrayerUpdate.objects.filter(author=user), noun="updates")
        if PrayerUpdate.objects.filter(prayer=prayer).count() >= MOST_UPDATES:
            raise Refused(f"A request can have {MOST_UPDATES} updates. You can still mark "
                          "it answered, or share a new request.")
    update = PrayerUpdate.objects.create(
        prayer=prayer, author=user, text=text, body_html=body_html, answered=answered,
    )
    fields = {"updates_html": render_updates(prayer)}
    if answered:
        fields.update(answered_at=update.created_at, answer_html=update.body_html)
        jobs.soon(TELL_JOB, task_name="Tell those who prayed of an answer", group="prayers")
    elif prayer.is_request:
        # Telling how it stands keeps a request on the wall, or puts it back.
        fields.update(expires_at=wall_until(), expired=False)
    Prayer.objects.filter(pk=prayer.pk).update(**fields)
    pagecache.retire()
    return update


def render_updates(prayer: Prayer) -> str:
    """Every update of `prayer`, rendered in order, stored on the prayer itself."""
    return render_to_string("prayers/includes/_updates.html", {
        "updates": PrayerUpdate.objects.filter(prayer=prayer).order_by("created_at", "id"),
    }).strip()


def refresh_updates(prayer: Prayer) -> None:
    """After staff changed or deleted updates in admin: the stored rendering, and the
    answer, follow what is left."""
    answer = (PrayerUpdate.objects.filter(prayer=prayer, answered=True)
              .order_by("created_at", "id").first())
    Prayer.objects.filter(pk=prayer.pk).update(
        updates_html=render_updates(prayer),
        answered_at=answer.created_at if answer else None,
        answer_html=answer.body_html if answer else "",
    )
    pagecache.retire()


def tell_answered(batch: int = TELL_BATCH) -> int:
    """The job: mail everyone who prayed for an answered prayer (unless they turned
    such mail off, or answered it themselves), once each. A batch of marks at a
    time: its mails and how far the telling got (`told_upto`, a mark's id) commit
    together, so a job stopped at any moment goes on where it stopped. Returns the
    number of mails recorded."""
    recorded = 0

    def tell(update: PrayerUpdate, marks: list[PrayerMark]) -> dict:
        nonlocal recorded
        recorded += _tell_batch(update, marks)
        return {}

    def step(out_of_time) -> bool:
        return db.work_through(
            PrayerUpdate.objects.filter(answered=True, told_at__isnull=True)
            # A request held for staff is told of once they approve it.
            .exclude(prayer__status=Status.PENDING)
            .select_related("prayer", "prayer__article", "prayer__state")
            .order_by("created_at", "id"),
            _to_tell, tell, size=batch, upto="told_upto",
            done=lambda _: {"told_at": timezone.now()})

    jobs.in_slices(TELL_JOB, step, task_name="Tell those who prayed of an answer",
                   group="prayers")
    return recorded


def _to_tell(update: PrayerUpdate):
    """Those who prayed, unless the prayer was taken down or its answer withdrawn
    before anyone was told (then nobody is, and the answer is done)."""
    prayer = update.prayer
    if prayer.is_deleted or prayer.status == Status.REMOVED or not prayer.is_answered:
        return PrayerMark.objects.none()
    return PrayerMark.objects.filter(prayer=prayer).select_related("user", "subscriber")


def _tell_batch(update: PrayerUpdate, marks: list[PrayerMark]) -> int:
    prayer = update.prayer
    link = settings.SITE_URL + prayer.get_absolute_url()
    told = 0
    for mark in marks:
        member, subscriber = mark.user, mark.subscriber
        if member is not None:
            if (member.pk == prayer.author_id or not member.notify_answered
                    or not member.can_be_mailed):
                continue
            to, name = member.email, member.public_name
            settings_link = settings.SITE_URL + reverse("accounts:profile")
        else:  # prayed from the inbox: told if they asked to be
            if not (subscriber.answered and subscriber.confirmed_at and not subscriber.left_at):
                continue
            to, name = subscriber.email, "friend"
            settings_link = subscriber.leave_url  # their page of choices
        # Mail they chose to get: not to an address that bounced for good or complained.
        told += bool(outbox.send("prayers/email/answered", {
            "recipient": name, "prayer": prayer.plain_text,
            "note": update.text, "link": link, "settings": settings_link,
        }, to=to, member=member, bulk=True))
    return told


# A request's time on the wall.

def renewable(prayer: Prayer) -> bool:
    """Renewal is offered once the reminder is due (REMIND_DAYS before the request
    leaves the wall) and after it has left: not the minute it is posted."""
    return (not prayer.is_answered and prayer.expires_at is not None
            and prayer.expires_at <= timezone.now() + timedelta(days=REMIND_DAYS))


@transaction.atomic
def renew_request(*, prayer: Prayer, user) -> Prayer:
    """The requester keeps their request on the wall for another WALL_DAYS days."""
    if not prayer.is_request or prayer.author_id is None or prayer.author_id != user.pk \
            or prayer.is_deleted or prayer.status == Status.REMOVED:
        raise PermissionDenied("Only the member who asked can renew this request.")
    prayer = Prayer.objects.select_for_update().get(pk=prayer.pk)
    if prayer.is_answered:
        raise Refused("This request is marked answered, so it stays on its own page and in "
                      "“My prayers” rather than going back on the wall.")
    if not renewable(prayer):
        raise Refused(f"Your request is on the wall until {reader_time(prayer.expires_at)}. "
                      f"You can keep it on the wall longer from {REMIND_DAYS} days before it "
                      "leaves; we will email you then.")
    prayer.expires_at, prayer.expired = wall_until(), False
    Prayer.objects.filter(pk=prayer.pk).update(expires_at=prayer.expires_at, expired=False)
    pagecache.retire()
    return prayer


def tend_wall() -> dict:
    """The job (every few minutes): requests whose time is up leave the wall, and
    requesters whose request leaves within REMIND_DAYS days are reminded, once for
    each time it was posted, updated or renewed."""
    now = timezone.now()
    expired = Prayer.objects.requests().filter(expired=False, expires_at__lte=now).update(
        expired=True)
    if expired:
        pagecache.retire()
    reminded = 0
    due = (Prayer.objects.requests()
           .filter(expired=False, answered_at__isnull=True, is_deleted=False,
                   status=Status.PUBLISHED, expires_at__gt=now,
                   expires_at__lte=now + timedelta(days=REMIND_DAYS))
           .exclude(reminded_for=F("expires_at")))
    for pk in list(due.values_list("pk", flat=True)):
        reminded += _remind(pk, now)
    return {"expired": expired, "reminded": reminded}


@transaction.atomic
def _remind(pk: int, now: datetime) -> int:
    prayer = (Prayer.objects.select_for_update(skip_locked=True, of=("self",))
              .select_related("author", "state").filter(pk=pk, expired=False,
                                                        expires_at__gt=now).first())
    if prayer is None or prayer.reminded_for == prayer.expires_at:
        return 0  # another worker has it, or it was renewed or told already
    Prayer.objects.filter(pk=pk).update(reminded_for=prayer.expires_at)
    author = prayer.author
    if author is None or not author.can_be_mailed:
        return 0
    outbox.send("prayers/email/expiring", {
        "recipient": author.public_name, "prayer": prayer.plain_text,
        "leaves": timezone.localtime(prayer.expires_at),
        "link": settings.SITE_URL + prayer.get_absolute_url(),
        "count": prayer.prayed_count,
    }, to=author.email, member=author)
    return 1


# The requester's daily word: how many prayed for their requests on the day that
# just ended, one mail per requester per day, none on a day without prayers.

DIGEST_SALT = "prayers.daily-mail"


def quiet_token(prayer: Prayer) -> str:
    """The one-click link's proof that it came from this request's mail."""
    return signing.dumps(prayer.pk, salt=DIGEST_SALT, compress=True)


def quiet_url(prayer: Prayer) -> str:
    return settings.SITE_URL + reverse("prayers:request-quiet",
                                       args=[prayer.pk, quiet_token(prayer)])


def check_quiet_token(pk: int, token: str) -> bool:
    try:
        return signing.loads(token, salt=DIGEST_SALT) == pk
    except signing.BadSignature:
        return False


def set_daily_mail(*, prayer: Prayer, on: bool) -> None:
    Prayer.objects.filter(pk=prayer.pk).update(daily_mail=on)
    prayer.daily_mail = on


def day_bounds(day) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1),
                                                       datetime.min.time()))


def send_digests(day=None) -> int:
    """The job (hourly; each day is told once): for the day that just ended (or
    `day`), mail each requester how many prayed for each of their requests.
    Returns the number of mails recorded."""
    day = day or timezone.localdate() - timedelta(days=1)
    start, end = day_bounds(day)
    counts = (PrayerMark.objects
              .filter(created_at__gte=start, created_at__lt=end,
                      prayer__kind=Prayer.Kind.REQUEST, prayer__author__isnull=False,
                      prayer__is_deleted=False, prayer__status=Status.PUBLISHED,
                      prayer__daily_mail=True)
              .exclude(user_id=F("prayer__author_id"))
              .values_list("prayer__author_id", "prayer_id")
              .annotate(n=Count("id")).order_by())
    per_author: dict[int, dict[int, int]] = {}
    for author_id, prayer_id, n in counts:
        per_author.setdefault(author_id, {})[prayer_id] = n
    # A note not yet told (left with an earlier prayer, or approved since) is news too.
    for author_id, prayer_id in _untold_notes(end).values_list(
            "prayer__author_id", "prayer_id").distinct().order_by():
        per_author.setdefault(author_id, {}).setdefault(prayer_id, 0)
    told = set(PrayedDigest.objects.filter(day=day).values_list("member_id", flat=True))
    waiting = iter([(author_id, prayers) for author_id, prayers in per_author.items()
                    if author_id not in told])
    sent = 0

    def step(out_of_time) -> bool:
        nonlocal sent
        for author_id, prayers in waiting:
            sent += _digest(author_id, day, prayers)
            return True
        return False

    jobs.in_slices("prayers.followup.send_digests", step, task_name="Daily word of prayers",
                   group="prayers")
    return sent


def _digest(author_id: int, day, counts: dict[int, int]) -> int:
    try:
        with transaction.atomic():
            PrayedDigest.objects.create(member_id=author_id, day=day,
                                        prayers=sum(counts.values()))
            author = get_user_model().objects.filter(pk=author_id).first()
            # Read again: a request deleted or quietened since the count is left out.
            requests = list(Prayer.objects.requests().filter(
                pk__in=counts, is_deleted=False, status=Status.PUBLISHED, daily_mail=True,
            ).select_related("state").order_by("-published_at"))
            if author is None or not requests or not author.can_be_mailed:
                return 0
            notes = _notes_to_tell(requests, day)
            items = [{"prayer": p.plain_text, "count": counts[p.pk],
                      "link": settings.SITE_URL + p.get_absolute_url(),
                      "notes": notes.get(p.pk, []),
                      "quiet": quiet_url(p)} for p in requests]
            items = [item for item in items if item["count"] or item["notes"]]
            if not items:
                return 0
            total = sum(item["count"] for item in items)
            outbox.send("prayers/email/digest", {
                "recipient": author.public_name, "items": items, "total": total,
                "day": day, "many": len(items) > 1,
            }, to=author.email, member=author, headers=_list_unsubscribe(items))
            return 1
    except IntegrityError:
        return 0  # another run told this requester of this day already


def _untold_notes(end):
    """Notes shown (one held for staff is not, until they approve it), left before
    `end` on requests whose requester gets the daily mail, and not yet in one."""
    return PrayerNote.objects.shown().filter(
        told_at__isnull=True, created_at__lt=end, prayer__kind=Prayer.Kind.REQUEST,
        prayer__author__isnull=False, prayer__is_deleted=False,
        prayer__status=Status.PUBLISHED, prayer__daily_mail=True)


def _notes_to_tell(requests, day) -> dict[int, list[dict]]:
    """The notes this mail tells, by request, as it gives them (who wrote each, and
    its words as text), marked told in the mail's own transaction."""
    _, end = day_bounds(day)
    found = list(_untold_notes(end).filter(prayer__in=requests).select_related("author")
                 .order_by("created_at", "id"))
    PrayerNote.objects.filter(pk__in=[note.pk for note in found]).update(
        told_at=timezone.now())
    notes: dict[int, list[dict]] = {}
    for note in found:
        notes.setdefault(note.prayer_id, []).append(
            {"author": note.author_label, "text": html_to_text(note.body_html)})
    return notes


def _list_unsubscribe(items) -> dict:
    """One-click unsubscribe (RFC 8058) from the daily word, for a single request."""
    if len(items) != 1:
        return {}
    return {"List-Unsubscribe": f"<{items[0]['quiet']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
