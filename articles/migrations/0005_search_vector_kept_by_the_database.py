"""PostgreSQL keeps each post's search vector itself: a trigger computes it on every
insert or update of a post, and another recomputes it when the post's prayer is
written or removed, so a post saved any way at all (admin, a shell, an import,
Article.objects.create) is found by search at once. Elsewhere search reads the
text itself and needs nothing kept."""
from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(
        (SELECT p.text FROM prayers_prayer p WHERE p.article_id = NEW.id), '')), 'B')
    || setweight(to_tsvector('english', coalesce(NEW.summary, '') || ' ' || coalesce(NEW.body, '')), 'C')
"""

CREATE = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := {VECTOR};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

CREATE OR REPLACE FUNCTION prayers_prayer_article_search_vector() RETURNS trigger AS $$
BEGIN
    -- Touching the post runs its own trigger, which reads the prayer as it is now.
    IF TG_OP <> 'INSERT' AND OLD.article_id IS NOT NULL THEN
        UPDATE articles_article SET id = id WHERE id = OLD.article_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.article_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.article_id IS DISTINCT FROM OLD.article_id
            OR NEW.text IS DISTINCT FROM OLD.text) THEN
        UPDATE articles_article SET id = id WHERE id = NEW.article_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS prayers_prayer_article_search_vector ON prayers_prayer;
CREATE TRIGGER prayers_prayer_article_search_vector
    AFTER INSERT OR UPDATE OF text, article_id OR DELETE ON prayers_prayer
    FOR EACH ROW EXECUTE FUNCTION prayers_prayer_article_search_vector();

UPDATE articles_article SET id = id;
"""

DROP = """
DROP TRIGGER IF EXISTS prayers_prayer_article_search_vector ON prayers_prayer;
DROP FUNCTION IF EXISTS prayers_prayer_article_search_vector();
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_alter_article_states"),
        ("prayers", "0006_alter_prayer_state_delete_statecall_delete_state"),
    ]

    operations = [migrations.RunPython(create, drop)]
