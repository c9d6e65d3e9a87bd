"""Full-text search, one way for every list a reader can search: every word of a query,
in any of its forms ("flooding" finds "flood"), through PostgreSQL's own search on a
stored vector (English word forms), or through an FTS5 index with the Porter stemmer on
SQLite. Each app keeps its own index, written by the database itself (a trigger fills
the vector; triggers fill the FTS5 table, whose rowid is the row's id)."""
import re

from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

MAX_QUERY_LENGTH = 200


def query_problem(query: str) -> str | None:
    """What is wrong with a search as typed, in words for the reader; None if nothing."""
    if len(query) > MAX_QUERY_LENGTH:
        return (f"Please search for at most {MAX_QUERY_LENGTH} characters; "
                f"that search had {len(query):,}.")
    if "\x00" in query:
        return "That search contained characters we cannot look for."
    return None


def fts5_match(query: str) -> str | None:
    """The query as FTS5 reads it: each word quoted, so that FTS5 takes it as a word and
    never as its query syntax. None when it holds no word."""
    words = re.findall(r"\w+", query)
    return " ".join(f'"{word}"' for word in words) if words else None


def matching(queryset, query: str, *, fts_table: str, vector: str = "search_vector",
             ranked: bool = False):
    """The rows of `queryset` that hold every word of `query`. `ranked`: on PostgreSQL,
    the best matches first (as `rank`), and the queryset's own order among equals."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, search_type="websearch", config="english")
        found = queryset.filter(**{vector: search})
        if ranked:
            found = found.annotate(rank=SearchRank(F(vector), search)).order_by(
                "-rank", *(queryset.query.order_by or queryset.model._meta.ordering))
        return found
    match = fts5_match(query)
    if match is None:
        return queryset.none()
    # The table name is the caller's constant; the words are a parameter.
    return queryset.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s", [match]))
