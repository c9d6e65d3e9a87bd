"""Reads about prayers that pages share."""
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from library.recount import counted_once_a_minute

from .models import Prayer, PrayerMark, PrayerNote, urgent_ids


def live_counts(ids, *, member) -> dict[int, tuple[int, bool]]:
    """Each prayer's count as it is now, and whether `member` has prayed it, for a
    page of prayers: one plain query, since every page view asks it."""
    if not ids:
        return {}
    q = connection.ops.quote_name
    prayers, marks = q(Prayer._meta.db_table), q(PrayerMark._meta.db_table)
    params = list(ids)
    if member.is_authenticated:
        prayed = (f"EXISTS (SELECT 1 FROM {marks} WHERE {marks}.{q('prayer_id')} = "
                  f"{prayers}.{q('id')} AND {marks}.{q('user_id')} = %s)")
        params.insert(0, member.pk)
    else:
        prayed = "0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q('id')}, {q('prayed_count')}, {prayed} FROM {prayers} "
            f"WHERE {q('id')} IN ({', '.join(['%s'] * len(ids))})",
            params,
        )
        return {pk: (count, bool(prayed)) for pk, count, prayed in cursor.fetchall()}


def guided_queue(*, member, seen=()):
    """The requests to pray through one at a time (/prayers/requests/pray/), in the order
    they come: the least prayed for first, then the newest. Never the member's own, one
    they have prayed for, nor one of `seen` (ids). The order is the wall's "least prayed
    for" index (wall_least_idx), walked until the first that fits: its cost does not grow
    with the wall. Urgent requests come before all of them (`next_to_pray`)."""
    return (
        Prayer.objects.on_the_wall()
        .exclude(pk__in=list(seen))
        .exclude(author_id=member.pk)
        .exclude(Exists(PrayerMark.objects.filter(prayer_id=OuterRef("pk"), user_id=member.pk)))
        .order_by("prayed_count", "-published_at", "-id")
    )


def next_to_pray(*, member, seen=()):
    """The request to pray for next: an urgent one (staff marked it in the last
    URGENT_HOURS hours; few, found by their own index), the least prayed for first;
    else the first of `guided_queue`. None when the member has prayed through them all."""
    queue = guided_queue(member=member, seen=seen).select_related("state", "author")
    urgent = urgent_ids()
    return (urgent and queue.filter(pk__in=urgent).first()) or queue.first()


WEEKLY_CACHE_SECONDS = 60
WEEKLY_KEY = "weekly-prayers"


def weekly_prayer_counts_cached() -> dict[int, int]:
    """The map's counts, recomputed at most once a minute: a week's shading does
    not need to move with every click."""
    return weekly_prayers_cached()["per_state"]


def weekly_prayers_cached() -> dict:
    """The week's marks per state ("per_state") and in all ("total"), each mark
    counted once in all (a post about two states counts for each state, but once in
    all). Shared by every worker and counted again once a minute (a count over every
    mark of the week), by one worker while the others go on showing the last count."""
    return counted_once_a_minute(
        WEEKLY_KEY, lambda: {"per_state": weekly_prayer_counts(), "total": weekly_prayer_total()},
        seconds=WEEKLY_CACHE_SECONDS)


def weekly_prayer_total(*, since=None) -> int:
    since = since or timezone.now() - timedelta(days=7)
    return (
        PrayerMark.objects.filter(created_at__gte=since)
        .filter(Q(prayer__state__isnull=False) | Q(prayer__article__states__isnull=False))
        .distinct()
        .count()
    )


def weekly_prayer_counts(*, since=None, state_id=None) -> dict[int, int]:
    """"I Prayed" marks since `since` (default: 7 days ago) per state, counting
    a state's own prompts and the posts that concern it, in one aggregate query."""
    since = since or timezone.now() - timedelta(days=7)
    state_filter = "AND p.state_id = %s" if state_id else ""
    article_filter = "AND s.state_id = %s" if state_id else ""
    marks, prayers = PrayerMark._meta.db_table, Prayer._meta.db_table
    article_states = Prayer.article.field.related_model.states.through._meta.db_table
    # Table names come from model metadata; every value is a parameter.
    sql = f"""
        SELECT state_id, COUNT(*) FROM (
            SELECT p.state_id AS state_id
            FROM {marks} m
            JOIN {prayers} p ON p.id = m.prayer_id
            WHERE m.created_at >= %s AND p.state_id IS NOT NULL {state_filter}
            UNION ALL
            SELECT s.state_id AS state_id
            FROM {marks} m
            JOIN {prayers} p ON p.id = m.prayer_id
            JOIN {article_states} s ON s.article_id = p.article_id
            WHERE m.created_at >= %s {article_filter}
        ) marks
        GROUP BY state_id
    """
    params = [since, *([state_id] if state_id else []), since, *([state_id] if state_id else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def notes_for(prayers) -> dict[int, list[dict]]:
    """The notes shown on each of a page of requests, in one query, as plain values
    (a member's own page is kept until one of them changes)."""
    if not prayers:
        return {}
    notes: dict[int, list[dict]] = {}
    for note in (PrayerNote.objects.shown().filter(prayer__in=prayers)
                 .select_related("author").order_by("created_at", "id")):
        notes.setdefault(note.prayer_id, []).append({
            "pk": note.pk, "author": note.author_label, "html": note.body_html,
            "created_at": note.created_at})
    return notes
