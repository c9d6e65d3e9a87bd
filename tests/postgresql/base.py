"""Django's PostgreSQL backend, except that a test needing real transactions ends
by emptying the tables with DELETE rather than TRUNCATE: TRUNCATE gives every
table new files (about a second for the site's tables, after each such test),
DELETE of a test's few rows takes milliseconds. Foreign keys are checked at the
commit, when every table is empty. Nothing else differs; the processes a test
starts (workers, servers, commands) run the site's own settings and backend."""
from django.db.backends.postgresql import base


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences,
                                     allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
