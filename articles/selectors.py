"""Reads of prayer posts that need care: lists with their prayers, search, the
posts most prayed and read this week, and the post to read next."""
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from library.recount import counted_once_a_minute
from library.rules import PUBLISHED
from library.text.search import matching
from prayers.models import Prayer, PrayerMark

from .models import Article, ReadDay


def article_cards():
    """Published posts with everything a list item shows, in a constant number of queries."""
    return (
        Article.objects.published()
        .select_related("prayer")
        .prefetch_related("topics", "states")
        .defer("body", "body_html", "search_vector")
    )


def search_articles(query: str):
    """Published posts whose title, prayer, topics, states or text hold every word of
    `query`, in any of its forms ("flooding" finds "flood"), through the site's one search
    (library.text.search): ranked on PostgreSQL, newest first on SQLite. Both indexes
    are kept by the database itself (articles migrations 0005, 0006)."""
    return matching(article_cards(), query, fts_table="articles_search", ranked=True)


def most_read(*, days: int = 7, limit: int = 5, today=None) -> list:
    """The posts most read over the last `days` days (today included), most first,
    as list cards with `readers` set to their readers in that time."""
    ranked = dict(read_ranking(days=days, limit=limit * 3, today=today))
    cards = {card.pk: card for card in article_cards().filter(pk__in=ranked)}
    chosen = [cards[pk] for pk in ranked if pk in cards][:limit]
    for card in chosen:
        card.readers = ranked[card.pk]
    return chosen


def read_ranking(*, days: int = 7, limit: int = 15, today=None) -> list[tuple[int, int]]:
    """(post id, readers) of the posts most read over the last `days` days (today
    included), most first, ties to the newer id: published or not, which the caller
    checks when it shows them."""
    today = today or timezone.localdate()
    totals = (
        ReadDay.objects.filter(day__gt=today - timedelta(days=days), day__lte=today)
        .values("article_id").annotate(total=Sum("readers")).order_by("-total", "-article_id")
    )
    return [(row["article_id"], row["total"]) for row in totals[:limit]]


def prayed_ranking(*, days: int = 7, limit: int = 15, until=None) -> list[tuple[int, int]]:
    """(post id, marks) of the published posts whose opening prayer was marked "I
    Prayed" most in the `days` days to `until` (default: now), most first, ties to the
    newer post. The week's marks are counted per prayer from the marks' (created_at,
    prayer) index alone, then joined to their posts: the cost follows the week's
    marks, not the whole archive (prayers migration 0013)."""
    until = until or timezone.now()
    marks, prayers = PrayerMark._meta.db_table, Prayer._meta.db_table
    articles = Article._meta.db_table
    # Table names come from model metadata; every value is a parameter.
    sql = f"""
        SELECT p.article_id, week.marks
        FROM (SELECT prayer_id, COUNT(*) AS marks FROM {marks}
              WHERE created_at > %s AND created_at <= %s GROUP BY prayer_id) week
        JOIN {prayers} p ON p.id = week.prayer_id
        JOIN {articles} a ON a.id = p.article_id
        WHERE a.status = %s AND a.published_at <= %s
        ORDER BY week.marks DESC, a.published_at DESC, a.id DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [until - timedelta(days=days), until, PUBLISHED, timezone.now(),
                             limit])
        return [tuple(row) for row in cursor.fetchall()]


def published_links(ids) -> dict:
    """The published ones of these posts, by id, with only what a link to each shows."""
    return (Article.objects.published().filter(pk__in=ids)
            .only("title", "slug").in_bulk())


def ranked_posts(ranked: list[tuple[int, int]], posts: dict, *, limit: int, count: str) -> list:
    """Of a ranking's (post id, count), the posts found in `posts`, in its order, at
    most `limit`, each with the attribute `count` set to its count."""
    chosen = [(posts[pk], number) for pk, number in ranked if pk in posts][:limit]
    for post, number in chosen:
        setattr(post, count, number)
    return [post for post, _ in chosen]


def week_rankings(*, limit: int = 5, until=None) -> dict:
    """The rankings of the week to `until` (default: now), most prayed ("prayed") and
    most read ("read"), each long enough to leave out posts taken down since."""
    until = until or timezone.now()
    return {"prayed": prayed_ranking(limit=limit * 3, until=until),
            "read": read_ranking(limit=limit * 3, today=timezone.localdate(until))}


def week_posts(rankings: dict, *, limit: int = 5) -> dict:
    """The published posts of `week_rankings`, read in one query: "prayed", each
    with `prayed` set, and "read", each with `readers` set."""
    ids = {pk for pk, _ in rankings["prayed"] + rankings["read"]}
    posts = published_links(ids) if ids else {}
    return {"prayed": ranked_posts(rankings["prayed"], posts, limit=limit, count="prayed"),
            "read": ranked_posts(rankings["read"], posts, limit=limit, count="readers")}


WEEK_KEY = "posts-of-the-week"


def posts_of_the_week(*, limit: int = 5) -> dict:
    """The week's most prayed and most read published posts (`week_posts`), for the
    pages that list them: the rankings are counted at most once a minute, by one
    worker for all (library.recount); whether each post is still published is read
    with the posts."""
    return week_posts(counted_once_a_minute(WEEK_KEY, lambda: week_rankings(limit=limit)),
                      limit=limit)


def up_next(article: Article) -> Article | None:
    """The post to read after `article`: the next newer published post; for the
    newest, the newest other post that shares a state or a topic with it; failing
    that, the next older one. Never a draft, a scheduled post or itself. One query,
    or two or three for the newest post, each walking the posts newest first and
    stopping at the first that fits; its topics and states are those loaded with it."""
    others = (Article.objects.published().exclude(pk=article.pk)
              .only("title", "slug", "teaser", "published_at", "reading_time"))
    newer = others.filter(
        Q(published_at__gt=article.published_at)
        | Q(published_at=article.published_at, pk__gt=article.pk)
    ).order_by("published_at", "id").first()
    if newer is not None:
        return newer
    # None newer: every other post is older, so the newest of them that shares a
    # state or a topic, else the newest of them.
    topics = [topic.pk for topic in article.topics.all()]
    states = [state.pk for state in article.states.all()]
    shared = Q()
    if topics:
        shared |= Exists(Article.topics.through.objects.filter(article_id=OuterRef("pk"),
                                                               topic_id__in=topics))
    if states:
        shared |= Exists(Article.states.through.objects.filter(article_id=OuterRef("pk"),
                                                               state_id__in=states))
    newest_first = others.order_by("-published_at", "-id")
    if shared and (alike := newest_first.filter(shared).first()) is not None:
        return alike
    return newest_first.first()
