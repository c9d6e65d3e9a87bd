"""The prayer wall's search index, kept by the database itself so a request saved any
way at all (a member's form, admin, an answer, a shell) is found at once: a request's
words, its answer note and its state's name; never who asked. On PostgreSQL a trigger
writes `Prayer.search_vector`; on SQLite triggers keep an FTS5 table with the Porter
stemmer (rowid = the request's id). Both are read by library.text.search.

SQLite drops a table's triggers with the table, and it rebuilds the prayers table for
most changes to its columns: a migration that changes it runs `create` again after
(as it steps the posts' triggers aside: articles.search_index)."""

# What is searched, from the request row `row`: only members' requests have any.
# The answer note is the answered update's own text (as typed, not its HTML).
ANSWER = """coalesce((SELECT u.text FROM prayers_prayerupdate u
                      WHERE u.prayer_id = {row}.id AND u.answered
                      ORDER BY u.created_at, u.id LIMIT 1), '')"""
PLACE = """coalesce((SELECT s.name FROM states_state s WHERE s.id = {row}.state_id), '')"""

POSTGRES = f"""
CREATE OR REPLACE FUNCTION prayers_request_search_vector() RETURNS trigger AS $$
BEGIN
    IF NEW.kind = 'request' THEN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.text, '')), 'A')
            || setweight(to_tsvector('english', {ANSWER.format(row="NEW")}), 'B')
            || setweight(to_tsvector('english', {PLACE.format(row="NEW")}), 'C');
    ELSE
        NEW.search_vector := NULL;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS prayers_request_search_vector ON prayers_prayer;
-- Only when what is searched is written: not for every "I Prayed".
CREATE TRIGGER prayers_request_search_vector
    BEFORE INSERT OR UPDATE OF text, answer_html, state_id, kind ON prayers_prayer
    FOR EACH ROW EXECUTE FUNCTION prayers_request_search_vector();

CREATE INDEX IF NOT EXISTS prayer_request_search_gin ON prayers_prayer
    USING gin (search_vector) WHERE kind = 'request';

UPDATE prayers_prayer SET text = text WHERE kind = 'request';
"""

POSTGRES_UNDO = """
DROP INDEX IF EXISTS prayer_request_search_gin;
DROP TRIGGER IF EXISTS prayers_request_search_vector ON prayers_prayer;
DROP FUNCTION IF EXISTS prayers_request_search_vector();
"""


def _rows(where: str) -> str:
    return f"""
        SELECT p.id, coalesce(p.text, ''), {ANSWER.format(row="p")}, {PLACE.format(row="p")}
        FROM prayers_prayer p WHERE p.kind = 'request' AND {where}"""


TRIGGERS = {
    "insert": "AFTER INSERT ON prayers_prayer WHEN NEW.kind = 'request' BEGIN "
              f"INSERT INTO prayers_search (rowid, request, answer, place) "
              f"{_rows('p.id = NEW.id')}; END",
    "update": "AFTER UPDATE OF text, answer_html, state_id, kind ON prayers_prayer BEGIN "
              "DELETE FROM prayers_search WHERE rowid = NEW.id; "
              f"INSERT INTO prayers_search (rowid, request, answer, place) "
              f"{_rows('p.id = NEW.id')}; END",
    "delete": "AFTER DELETE ON prayers_prayer BEGIN "
              "DELETE FROM prayers_search WHERE rowid = OLD.id; END",
}


def create(schema_editor) -> None:
    """The index, filled from the requests as they are, and what keeps it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
        return
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS prayers_search")
    schema_editor.execute("CREATE VIRTUAL TABLE prayers_search USING fts5("
                          "request, answer, place, tokenize = 'porter unicode61')")
    schema_editor.execute("INSERT INTO prayers_search (rowid, request, answer, place) "
                          f"{_rows('1 = 1')}")
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS prayers_search_{name} {body}")


def drop_triggers(schema_editor) -> None:
    """SQLite: the triggers step aside while a migration rebuilds a table they read
    (the prayers table, or the states table); `create` brings them back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS prayers_search_{name}")


def drop(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNDO)
        return
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS prayers_search_{name}")
    schema_editor.execute("DROP TABLE IF EXISTS prayers_search")
