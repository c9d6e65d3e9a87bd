"""Search reads a post's title, prayer, topics, states and text, with word forms, on
both databases: PostgreSQL's vector now takes in the post's topics and states (and
moves when they change); on SQLite an FTS5 index with the Porter stemmer is kept by
triggers, so a post saved any way at all is found at once."""
from django.db import migrations

from articles import search_index

PLACES = search_index.PLACES

POSTGRES = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(
            (SELECT p.text FROM prayers_prayer p WHERE p.article_id = NEW.id), '')), 'B')
        || setweight(to_tsvector('english', {PLACES.format(agg="string_agg", id="NEW.id")}), 'B')
        || setweight(to_tsvector('english',
            coalesce(NEW.summary, '') || ' ' || coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION articles_link_search_vector() RETURNS trigger AS $$
BEGIN
    UPDATE articles_article SET id = id
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS articles_topics_search_vector ON articles_article_topics;
CREATE TRIGGER articles_topics_search_vector AFTER INSERT OR DELETE ON articles_article_topics
    FOR EACH ROW EXECUTE FUNCTION articles_link_search_vector();
DROP TRIGGER IF EXISTS articles_states_search_vector ON articles_article_states;
CREATE TRIGGER articles_states_search_vector AFTER INSERT OR DELETE ON articles_article_states
    FOR EACH ROW EXECUTE FUNCTION articles_link_search_vector();

CREATE OR REPLACE FUNCTION articles_topic_search_vector() RETURNS trigger AS $$
BEGIN
    UPDATE articles_article SET id = id WHERE id IN
        (SELECT article_id FROM articles_article_topics WHERE topic_id = NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS articles_topic_name_search_vector ON articles_topic;
CREATE TRIGGER articles_topic_name_search_vector AFTER UPDATE OF name ON articles_topic
    FOR EACH ROW EXECUTE FUNCTION articles_topic_search_vector();

UPDATE articles_article SET id = id;
"""

POSTGRES_UNDO = """
DROP TRIGGER IF EXISTS articles_topics_search_vector ON articles_article_topics;
DROP TRIGGER IF EXISTS articles_states_search_vector ON articles_article_states;
DROP TRIGGER IF EXISTS articles_topic_name_search_vector ON articles_topic;
DROP FUNCTION IF EXISTS articles_link_search_vector();
DROP FUNCTION IF EXISTS articles_topic_search_vector();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    search_index.create(schema_editor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNDO)
    search_index.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_vector_kept_by_the_database"),
        ("states", "0003_reference_data"),
    ]

    operations = [migrations.RunPython(create, drop)]
