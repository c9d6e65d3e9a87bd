"""Reads of prayer posts that need care: lists with their prayers, and search."""
from django.db import connection
from django.db.models import F, Q

from .models import Article

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
    """Search title, prayer and excerpt: ranked full-text search on PostgreSQL,
    a plain contains search elsewhere."""
    cards = article_cards()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            cards.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-published_at", "-id")
        )
    words = query.split()
    condition = Q()
    for word in words:
        condition &= (
            Q(title__icontains=word)
            | Q(prayer__text__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
        )
    return cards.filter(condition)
