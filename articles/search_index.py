"""SQLite's full-text index of posts (FTS5, Porter stemmer), kept by triggers so a
post saved any way at all is found at once. Migrations create it. SQLite rebuilds a
table for most changes to its columns, and a trigger that names a table being
rebuilt stops the rebuild: a migration that changes one of the tables below drops
the triggers first (`drop_triggers`) and creates them again after (`create`)."""

TABLES = ["articles_article", "prayers_prayer", "articles_article_topics",
          "articles_article_states", "articles_topic"]

PLACES = """
    coalesce((SELECT {agg}(t.name, ' ') FROM articles_topic t
              JOIN articles_article_topics x ON x.topic_id = t.id WHERE x.article_id = {id}), '')
    || ' ' ||
    coalesce((SELECT {agg}(s.name, ' ') FROM states_state s
              JOIN articles_article_states x ON x.state_id = s.id WHERE x.article_id = {id}), '')
"""


def _rows(where: str) -> str:
    return f"""
        SELECT a.id, a.title,
               coalesce((SELECT p.text FROM prayers_prayer p WHERE p.article_id = a.id), ''),
               {PLACES.format(agg="group_concat", id="a.id")},
               coalesce(a.summary, '') || ' ' || coalesce(a.body, '')
        FROM articles_article a WHERE {where}"""


def _refresh(where: str) -> str:
    """Statements rewriting the index rows of the posts `where` selects."""
    return f"""
        DELETE FROM articles_search
        WHERE rowid IN (SELECT a.id FROM articles_article a WHERE {where});
        INSERT INTO articles_search (rowid, title, prayer, places, body) {_rows(where)};
    """


TRIGGERS = {
    "insert": f"AFTER INSERT ON articles_article BEGIN {_refresh('a.id = NEW.id')} END",
    "update": f"AFTER UPDATE ON articles_article BEGIN {_refresh('a.id = NEW.id')} END",
    "delete": "AFTER DELETE ON articles_article BEGIN "
              "DELETE FROM articles_search WHERE rowid = OLD.id; END",
    "prayer_insert": f"AFTER INSERT ON prayers_prayer BEGIN "
                     f"{_refresh('a.id = NEW.article_id')} END",
    "prayer_update": f"AFTER UPDATE ON prayers_prayer BEGIN "
                     f"{_refresh('a.id IN (NEW.article_id, OLD.article_id)')} END",
    "prayer_delete": f"AFTER DELETE ON prayers_prayer BEGIN "
                     f"{_refresh('a.id = OLD.article_id')} END",
    **{
        f"{name}_{event.lower()}": f"AFTER {event} ON {table} BEGIN "
                                   f"{_refresh(f'a.id = {row}.article_id')} END"
        for name, table in [("topics", "articles_article_topics"),
                            ("states", "articles_article_states")]
        for event, row in [("INSERT", "NEW"), ("DELETE", "OLD")]
    },
    "topic_name": "AFTER UPDATE OF name ON articles_topic BEGIN "
                  + _refresh("a.id IN (SELECT article_id FROM articles_article_topics "
                             "WHERE topic_id = NEW.id)") + " END",
}


def create(schema_editor) -> None:
    """The index, filled from the posts as they are, and its triggers."""
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS articles_search")
    schema_editor.execute("CREATE VIRTUAL TABLE articles_search USING fts5("
                          "title, prayer, places, body, tokenize = 'porter unicode61')")
    schema_editor.execute(f"INSERT INTO articles_search (rowid, title, prayer, places, body) "
                          f"{_rows('1 = 1')}")
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS articles_search_{name} {body}")


def drop_triggers(schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS articles_search_{name}")


def drop(schema_editor) -> None:
    drop_triggers(schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS articles_search")
