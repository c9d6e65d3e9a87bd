"""Recording "I Prayed" (the only place marks are written and counters move), and
members' prayer requests."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from library import jobs
from library.pages import pagecache
from library.text import moderation
from library.text.markup import render_markdown
from library.text.moderation import (
    EDIT_MINUTES,
    Refused,
    Status,
    check_edit_pace,
    check_pace,
    clean_text,
    hold_for_links,
    in_edit_window,
)

from .models import (
    NOTE_MAX_LENGTH,
    REQUEST_MAX_LENGTH,
    Category,
    Prayer,
    PrayerMark,
    PrayerNote,
    PrayerNoteReport,
    PrayerReport,
    wall_until,
)


def mark_prayed(*, user=None, prayer: Prayer, subscriber=None) -> bool:
    """Record that `user` (a member) or `subscriber` (an email subscriber who is not
    a member, praying from the inbox) prayed `prayer`. True if this was a new mark."""
    marked = pray(prayer_id=prayer.pk, user=user, subscriber=subscriber,
                  among=Prayer.objects.all())
    return marked is not None and marked[0]


def pray(*, prayer_id: int, user=None, subscriber=None, among=None) -> tuple[bool, int] | None:
    """Record a mark on the prayer `prayer_id` if it is one of `among` (by default
    the prayers anyone may see): (whether the mark is new, the count after it), or
    None when there is no such prayer.

    The unique constraints decide under concurrency: a second insert for the same
    person waits for the first and does nothing, and the counter moves only when a
    row was really inserted. On PostgreSQL it is one statement, which inserts the
    mark, moves the counter and returns the count; elsewhere three, in one
    transaction. A mark retires no page: counts are filled in live (prayers.parts)."""
    if (user is None) == (subscriber is None):
        raise ValueError("A mark belongs to a member or to a subscriber.")
    among = Prayer.objects.visible() if among is None else among
    chosen, chosen_params = (among.filter(pk=prayer_id).order_by().values("id")
                             .query.sql_with_params())
    q = connection.ops.quote_name
    marks, prayers = q(PrayerMark._meta.db_table), q(Prayer._meta.db_table)
    owner = q("user_id" if user is not None else "subscriber_id")
    insert = (f"INSERT INTO {marks} ({owner}, {q('prayer_id')}, {q('created_at')}) "
              f"SELECT %s, chosen.{q('id')}, %s FROM ({chosen}) AS chosen WHERE 1 = 1 "
              "ON CONFLICT DO NOTHING")
    params = [(user or subscriber).pk, timezone.now(), *chosen_params]
    count = f"SELECT {q('prayed_count')} FROM {prayers} WHERE {q('id')} = %s"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH marked AS ({insert} RETURNING {q('prayer_id')}), "
                f"counted AS (UPDATE {prayers} SET {q('prayed_count')} = {q('prayed_count')} + 1 "
                f"WHERE {q('id')} IN (SELECT {q('prayer_id')} FROM marked) "
                f"RETURNING {q('prayed_count')}) "
                f"SELECT (SELECT {q('prayed_count')} FROM counted), "
                f"(SELECT {q('prayed_count')} FROM {prayers} WHERE {q('id')} IN "
                f"(SELECT chosen.{q('id')} FROM ({chosen}) AS chosen))",
                params + list(chosen_params),
            )
            new, current = cursor.fetchone()
        else:
            with transaction.atomic():
                cursor.execute(insert, params)
                if cursor.rowcount == 1:
                    cursor.execute(
                        f"UPDATE {prayers} SET {q('prayed_count')} = {q('prayed_count')} + 1 "
                        f"WHERE {q('id')} = %s RETURNING {q('prayed_count')}", [prayer_id])
                    new, current = cursor.fetchone()[0], None
                else:
                    cursor.execute(f"{count} AND {q('id')} IN ({chosen})",
                                   [prayer_id, *chosen_params])
                    row = cursor.fetchone()
                    new, current = None, row and row[0]
    if new is not None:
        return True, new
    return None if current is None else (False, current)


@transaction.atomic
def unmark_prayed(*, user, prayer: Prayer) -> bool:
    """Take back `user`'s mark on `prayer`. True if there was one. The delete decides
    under concurrency: the counter moves back only for a row really deleted."""
    deleted, _ = PrayerMark.objects.filter(user=user, prayer=prayer).delete()
    if not deleted:
        return False
    Prayer.objects.filter(pk=prayer.pk, prayed_count__gt=0).update(
        prayed_count=F("prayed_count") - 1
    )
    return True


# A reader who clicks "I Prayed" before logging in is remembered in a signed
# cookie of their own browser, not in a session: clicks cost the site nothing.
PENDING_PRAYER_COOKIE = "pending_prayer"
PENDING_PRAYER_SECONDS = 60 * 60
_SALT = "prayers.pending"


def remember_pending_prayer(*, response, prayer: Prayer) -> None:
    """An anonymous reader clicked "I Prayed": keep the intent across log-in, for an hour."""
    response.set_signed_cookie(
        PENDING_PRAYER_COOKIE, str(prayer.pk), salt=_SALT, max_age=PENDING_PRAYER_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def record_pending_prayer(*, request, user) -> Prayer | None:
    """Record the prayer a reader clicked before logging in, if the click is recent.
    The cookie is spent: the response that follows deletes it (see the middleware)."""
    pk = request.get_signed_cookie(
        PENDING_PRAYER_COOKIE, default=None, salt=_SALT, max_age=PENDING_PRAYER_SECONDS
    )
    if PENDING_PRAYER_COOKIE in request.COOKIES:
        request.pending_prayer_spent = True
    if pk is None or not pk.isdigit():
        return None
    prayer = Prayer.objects.visible().select_related("article", "state").filter(pk=pk).first()
    if prayer is not None:
        mark_prayed(user=user, prayer=prayer)
    return prayer


# Members' prayer requests: the prayer wall. They follow the rules of everything
# members write (library.text.moderation) and are prayed for like any prayer.
REQUEST_EDIT_RULE = f"Requests can be edited for {EDIT_MINUTES} minutes after posting."


def clean_request_text(text: str) -> str:
    return clean_text(text, max_length=REQUEST_MAX_LENGTH, noun="request")


def _render(prayer: Prayer) -> None:
    prayer.body_html = render_markdown(prayer.text)
    if settings.PRAYER_REQUESTS_REVIEW:
        prayer.status = Status.PENDING
    hold_for_links(prayer, prayer.body_html)


@transaction.atomic
def post_request(*, author, text: str, state=None, anonymous: bool = False,
                 category: str = "", urgent: bool = False,
                 notes_public: bool = False) -> Prayer:
    """A member asks for prayer, for a state or (`state` None) for the nation, and
    about one of the wall's categories (or none); `urgent` asks staff to mark it urgent."""
    text = clean_request_text(text)
    check_pace(author, Prayer.objects.requests().filter(author=author), noun="requests")
    now = timezone.now()
    prayer = Prayer(kind=Prayer.Kind.REQUEST, author=author, text=text, state=state,
                    anonymous=anonymous, category=_category(category), published_at=now,
                    expires_at=wall_until(now), notes_public=notes_public,
                    urgent_asked_at=now if urgent else None)
    _render(prayer)
    prayer.save()
    pagecache.retire(pagecache.LISTS, prayer.page_scope)
    return prayer


def _category(category: str) -> str:
    if category and category not in Category.values:
        raise Refused("Please choose one of the listed topics, or none.")
    return category


def check_requester(prayer: Prayer, user) -> None:
    if not prayer.is_request or prayer.author_id is None or prayer.author_id != user.pk \
            or prayer.is_deleted:
        raise PermissionDenied("Only the member who asked can change this request.")


def edit_request(*, prayer: Prayer, user, text: str, state=None,
                 anonymous: bool = False, category: str | None = None) -> Prayer:
    """The requester changes their request; `category` None keeps its category."""
    check_requester(prayer, user)
    if not in_edit_window(prayer, user):
        raise Refused(f"{REQUEST_EDIT_RULE} This one can no longer be changed; you can "
                      "still delete it.")
    text = clean_request_text(text)
    category = prayer.category if category is None else _category(category)
    check_edit_pace(user, scope="request")
    return _save_edit(prayer, text, state, anonymous, category)


@transaction.atomic
def _save_edit(prayer, text, state, anonymous, category) -> Prayer:
    # An edit never releases a hold: what staff are to look at waits for them.
    prayer.text, prayer.state, prayer.anonymous = text, state, anonymous
    prayer.category = category
    _render(prayer)
    prayer.edited_at = timezone.now()
    prayer.save()
    pagecache.retire(pagecache.LISTS, prayer.page_scope)
    return prayer


@transaction.atomic
def delete_request(*, prayer: Prayer, user) -> None:
    """The member takes their request down. Its row and marks stay (counts stay
    true); nobody sees it again."""
    check_requester(prayer, user)
    Prayer.objects.filter(pk=prayer.pk).update(is_deleted=True)
    prayer.is_deleted = True
    pagecache.retire(pagecache.LISTS, prayer.page_scope)


def report_request(*, prayer: Prayer, user, reason: str, detail: str = "") -> bool:
    return moderation.report(prayer, user=user, reason=reason, detail=detail,
                             report_model=PrayerReport, noun="request")


def set_request_status(*, prayer: Prayer, status: str, by=None) -> None:
    was = Prayer.objects.filter(pk=prayer.pk).values_list("status", flat=True).first()
    moderation.set_status(prayer, status, report_model=PrayerReport, by=by)
    if was != Status.PUBLISHED and status == Status.PUBLISHED:
        _on_the_wall_from_now([prayer.pk])


def approve_requests(queryset, *, by=None) -> int:
    ids = list(queryset.values_list("pk", flat=True))
    count = moderation.approve(queryset, report_model=PrayerReport, by=by)
    _on_the_wall_from_now(ids)
    return count


def _on_the_wall_from_now(ids) -> None:
    """A request staff approve has its whole time on the wall from now: the days it
    waited for them are not taken from it."""
    Prayer.objects.filter(pk__in=ids, status=Status.PUBLISHED, answered_at__isnull=True,
                          is_deleted=False).update(expires_at=wall_until(), expired=False)


@transaction.atomic
def set_request_category(*, prayer: Prayer, category: str) -> None:
    """Staff put a request in another category (or none)."""
    Prayer.objects.filter(pk=prayer.pk).update(category=_category(category))
    prayer.category = category
    pagecache.retire(pagecache.LISTS, prayer.page_scope)


def remove_requests(queryset, *, by=None) -> int:
    return moderation.remove(queryset, report_model=PrayerReport, by=by)


# Urgent requests: the requester asks, staff approve (in admin), and from then the
# request heads its lists for URGENT_HOURS hours and subscribers who chose urgent
# requests hear of it (updates.urgent), in at most one such mail a day each.
URGENT_JOB = "updates.urgent.send_urgent"


@transaction.atomic
def ask_urgent(*, prayer: Prayer, user) -> Prayer:
    """The requester asks our team to mark their request urgent."""
    check_requester(prayer, user)
    prayer = Prayer.objects.select_for_update().get(pk=prayer.pk)
    if prayer.urgent_asked_at is not None:
        raise Refused("You have asked for this request to be marked urgent already; our "
                      "team will look at it soon." if prayer.urgent_at is None else
                      "Our team marked this request urgent already.")
    if prayer.is_answered or prayer.status == Status.REMOVED:
        raise Refused("Only a request still waiting for an answer can be marked urgent.")
    prayer.urgent_asked_at = timezone.now()
    Prayer.objects.filter(pk=prayer.pk).update(urgent_asked_at=prayer.urgent_asked_at)
    pagecache.retire(prayer.page_scope)
    return prayer


@transaction.atomic
def approve_urgent(queryset, *, by=None) -> list[int]:
    """Staff mark these requests urgent, as their requesters asked: those published
    and not yet urgent. Returns their ids."""
    ids = list(queryset.filter(kind=Prayer.Kind.REQUEST, urgent_asked_at__isnull=False,
                               urgent_at__isnull=True, status=Status.PUBLISHED,
                               is_deleted=False, answered_at__isnull=True)
               .values_list("pk", flat=True))
    if not ids:
        return []
    Prayer.objects.filter(pk__in=ids).update(urgent_at=timezone.now())
    jobs.soon(URGENT_JOB, task_name="Mail urgent prayer requests", group="updates")
    pagecache.retire(pagecache.LISTS, *(f"prayer:{pk}" for pk in ids))
    return ids


# "Praying for you" notes: a short word left with "I Prayed", one per member per
# request, under the rules of everything members write (library.text.moderation).

def clean_note_text(text: str) -> str:
    return clean_text(text, max_length=NOTE_MAX_LENGTH, noun="note")


def check_can_note(prayer: Prayer, user) -> None:
    if not prayer.is_request or not prayer.is_public:
        raise PermissionDenied("Notes are left on members' requests on the wall.")
    if prayer.author_id == user.pk:
        raise Refused("Notes are for those who pray for your request; you can add an "
                      "update to it instead.")


@transaction.atomic
def pray_with_note(*, user, prayer: Prayer, text: str) -> PrayerNote:
    """`user` prays `prayer` (a request) and leaves a note for its requester. The note
    waits for staff when it links to another site."""
    check_can_note(prayer, user)
    text = clean_note_text(text)
    check_pace(user, PrayerNote.objects.filter(author=user), noun="notes")
    if PrayerNote.objects.filter(prayer=prayer, author=user).exists():
        raise Refused("You have left a note on this request already. Thank you for it!")
    note = PrayerNote(prayer=prayer, author=user, text=text, body_html=render_markdown(text))
    hold_for_links(note, note.body_html)
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:  # the same member, twice at once
        raise Refused("You have left a note on this request already. Thank you for it!"
                      ) from None
    mark_prayed(user=user, prayer=prayer)
    if note.is_public:
        pagecache.retire(prayer.page_scope)
    return note


def set_notes_public(*, prayer: Prayer, user, on: bool) -> None:
    """The requester shows the notes on their request to everyone, or only to themself."""
    check_requester(prayer, user)
    Prayer.objects.filter(pk=prayer.pk).update(notes_public=on)
    prayer.notes_public = on
    pagecache.retire(prayer.page_scope)


def report_note(*, note: PrayerNote, user, reason: str, detail: str = "") -> bool:
    return moderation.report(note, user=user, reason=reason, detail=detail,
                             report_model=PrayerNoteReport, noun="note")


def approve_notes(queryset, *, by=None) -> int:
    return moderation.approve(queryset, report_model=PrayerNoteReport, by=by)


def remove_notes(queryset, *, by=None) -> int:
    return moderation.remove(queryset, report_model=PrayerNoteReport, by=by)


def set_note_status(*, note: PrayerNote, status: str, by=None) -> None:
    moderation.set_status(note, status, report_model=PrayerNoteReport, by=by)
