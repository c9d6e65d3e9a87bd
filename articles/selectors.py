"""Reads of prayer posts that need care: lists with their prayers, and search."""
from django.db import connection
from django.db.models import Q

from .models import Article

MAX_QUERY_LENGTH = 200


def article_cards():
    """Published posts with everything a list item shows, in a constant number of queries."""
    return (
        Article.objects.published()
        .select_related("prayer")
        .prefetch_related("topics", "states")
        .defer("body", "body_html")
    )


def search_articles(query: str):
    """Search title, prayer and excerpt: ranked full-text search on PostgreSQL,
    a plain contains search elsewhere."""
    cards = article_cards()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("prayer__text", weight="B", config="english")
            + SearchVector("summary", "body", weight="C", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            cards.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
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
