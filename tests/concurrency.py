"""Running requests truly at once, as separate gunicorn workers would."""
import threading

import pytest
from django.db import connection, connections

_SKIP_ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers, so the race this test looks for cannot happen; "
    "CI runs it on PostgreSQL.",
)


def needs_postgres(test):
    """A race only PostgreSQL can run: in its pass only (skipped if asked on SQLite)."""
    return pytest.mark.postgres_pass(_SKIP_ON_SQLITE(test))


def at_once(calls):
    """Start every call behind one barrier, each thread on its own database
    connection; return their results (in finishing order)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:  # noqa: BLE001 - raised again below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results
