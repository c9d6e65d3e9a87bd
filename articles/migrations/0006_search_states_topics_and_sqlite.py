"""Search reads a post's title, prayer, topics, states and text, with word forms, on
both databases: PostgreSQL's vector now takes in the post's topics and states (and
moves when they change); on SQLite an FTS5 index with the Porter stemmer is kept by
triggers, so a post saved any way at all is found at once."""
from django.db import migrations

PLACES = """
    coalesce((SELECT {agg}(t.name, ' ') FROM articles_topic t
              JOIN articles_article_topics x ON x.topic_id = t.id WHERE x.article_id = {id}), '')
    || ' ' ||
    coalesce((SELECT {agg}(s.name, ' ') FROM states_state s
              JOIN articles_article_states x ON x.state_id = s.id WHERE x.article_id = {id}), '')
"""

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


def sqlite_refresh(where: str) -> str:
    """Statements rewriting the index rows of the posts `where` selects."""
    return f"""
        DELETE FROM articles_search WHERE rowid IN (SELECT a.id FROM articles_article a WHERE {where});
        INSERT INTO articles_search (rowid, title, prayer, places, body)
        SELECT a.id, a.title,
               coalesce((SELECT p.text FROM prayers_prayer p WHERE p.article_id = a.id), ''),
               {PLACES.format(agg="group_concat", id="a.id")},
               coalesce(a.summary, '') || ' ' || coalesce(a.body, '')
        FROM articles_article a WHERE {where};
    """


SQLITE = [
    "CREATE VIRTUAL TABLE articles_search USING fts5("
    "title, prayer, places, body, tokenize = 'porter unicode61')",
    f"CREATE TRIGGER articles_search_insert AFTER INSERT ON articles_article BEGIN "
    f"{sqlite_refresh('a.id = NEW.id')} END",
    f"CREATE TRIGGER articles_search_update AFTER UPDATE ON articles_article BEGIN "
    f"{sqlite_refresh('a.id = NEW.id')} END",
    "CREATE TRIGGER articles_search_delete AFTER DELETE ON articles_article BEGIN "
    "DELETE FROM articles_search WHERE rowid = OLD.id; END",
    f"CREATE TRIGGER articles_search_prayer_insert AFTER INSERT ON prayers_prayer BEGIN "
    f"{sqlite_refresh('a.id = NEW.article_id')} END",
    f"CREATE TRIGGER articles_search_prayer_update AFTER UPDATE ON prayers_prayer BEGIN "
    f"{sqlite_refresh('a.id IN (NEW.article_id, OLD.article_id)')} END",
    f"CREATE TRIGGER articles_search_prayer_delete AFTER DELETE ON prayers_prayer BEGIN "
    f"{sqlite_refresh('a.id = OLD.article_id')} END",
    *[
        f"CREATE TRIGGER articles_search_{name}_{event.lower()} AFTER {event} ON {table} BEGIN "
        f"{sqlite_refresh(f'a.id = {row}.article_id')} END"
        for name, table in [("topics", "articles_article_topics"),
                            ("states", "articles_article_states")]
        for event, row in [("INSERT", "NEW"), ("DELETE", "OLD")]
    ],
    f"CREATE TRIGGER articles_search_topic_name AFTER UPDATE OF name ON articles_topic BEGIN "
    f"{sqlite_refresh('a.id IN (SELECT article_id FROM articles_article_topics WHERE topic_id = NEW.id)')} END",
    f"INSERT INTO articles_search (rowid, title, prayer, places, body) SELECT a.id, a.title, "
    f"coalesce((SELECT p.text FROM prayers_prayer p WHERE p.article_id = a.id), ''), "
    f"{PLACES.format(agg='group_concat', id='a.id')}, "
    f"coalesce(a.summary, '') || ' ' || coalesce(a.body, '') FROM articles_article a",
]

SQLITE_UNDO = [
    *[f"DROP TRIGGER IF EXISTS articles_search_{name}" for name in [
        "insert", "update", "delete", "prayer_insert", "prayer_update", "prayer_delete",
        "topics_insert", "topics_delete", "states_insert", "states_delete", "topic_name"]],
    "DROP TABLE IF EXISTS articles_search",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNDO)
    elif vendor == "sqlite":
        for statement in SQLITE_UNDO:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_vector_kept_by_the_database"),
        ("states", "0003_reference_data"),
    ]

    operations = [migrations.RunPython(create, drop)]
