"""Reads of prayer posts that need care: lists with their prayers, and search."""
import re
from datetime import timedelta

from django.db import connection
from django.db.models import F, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import Article, ReadDay

MAX_QUERY_LENGTH = 200


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
    `query`, in any of its forms ("flooding" finds "flood"): PostgreSQL's full-text
    search, ranked, or SQLite's FTS5 index with the Porter stemmer, newest first.
    Both indexes are kept by the database itself (articles migrations 0005, 0006)."""
    cards = article_cards()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            cards.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-published_at", "-id")
        )
    # Each word quoted: FTS5 then reads it as a word, never as its query syntax.
    words = re.findall(r"\w+", query)
    if not words:
        return cards.none()
    match = " ".join(f'"{word}"' for word in words)
    return cards.filter(
        pk__in=RawSQL("SELECT rowid FROM articles_search WHERE articles_search MATCH %s",
                      [match])
    )


def most_read(*, days: int = 7, limit: int = 5, today=None) -> list:
    """The posts most read over the last `days` days (today included), most first,
    as list cards with `readers` set to their readers in that time."""
    today = today or timezone.localdate()
    totals = (
        ReadDay.objects.filter(day__gt=today - timedelta(days=days))
        .values("article_id").annotate(total=Sum("readers")).order_by("-total", "-article_id")
    )
    ranked = {row["article_id"]: row["total"] for row in totals[: limit * 3]}
    cards = {card.pk: card for card in article_cards().filter(pk__in=ranked)}
    chosen = [cards[pk] for pk in ranked if pk in cards][:limit]
    for card in chosen:
        card.readers = ranked[card.pk]
    return chosen
