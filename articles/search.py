"""Full-text search on PostgreSQL: a stored, weighted search vector per post
(title, then prayer, then summary and excerpt) with a GIN index. Elsewhere
search falls back to a contains search and these functions do nothing."""
from django.db import connection

from .models import Article


def refresh_search_index(article_ids) -> None:
    """Recompute the stored vectors of these posts (after a post or its prayer changes)."""
    ids = list(article_ids)
    if connection.vendor != "postgresql" or not ids:
        return
    article = Article._meta.db_table
    prayer = Article._meta.get_field("prayer").related_model._meta.db_table
    with connection.cursor() as cursor:
        # Table names come from model metadata; the ids are a parameter.
        cursor.execute(
            f"""
            UPDATE {article} AS a SET search_vector =
                setweight(to_tsvector('english', a.title), 'A')
                || setweight(to_tsvector('english', coalesce(p.text, '')), 'B')
                || setweight(to_tsvector('english', a.summary || ' ' || a.body), 'C')
            FROM {article} AS a2 LEFT JOIN {prayer} AS p ON p.article_id = a2.id
            WHERE a.id = a2.id AND a.id = ANY(%s)
            """,
            [ids],
        )
