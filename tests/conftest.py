"""What every test shares, and which tests each pass of `make test` runs.

The suite runs twice in CI: on PostgreSQL (the production engine), every test; on
SQLite (the one-machine deployment `make run` gives a newcomer), only the tests
whose outcome can depend on the engine, that is those that touch the database:
models, queries, transactions, migrations, views and commands that run SQL.

The rule, applied in `pytest_collection_modifyitems` below; the SQLite pass leaves out:
- a test that cannot reach the database: pytest-django blocks the database for a
  test that asks neither for a database fixture (`db`, `transactional_db`,
  `live_server`, ...) nor for the `django_db` marker, so what it checks (pure logic,
  rendering without queries, settings read in a process of their own, tools) comes
  out the same on either engine, and the PostgreSQL pass has checked it;
- a test marked `postgres_pass`: it uses the database, but what it checks does not
  depend on the engine and costs real processes, a browser or many pages (browser
  journeys, real workers, what pages print of hostile text and of addresses), or
  it needs PostgreSQL (races SQLite serialises).
A test marked `sqlite_too` runs in both passes whatever it is.
"""
import os
import shutil
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.factories import make_member


def _on_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def pytest_report_header(config):
    if _on_sqlite():
        return ("The SQLite pass: the tests that use the database, but those marked "
                "postgres_pass (browser journeys, real workers, races, hostile-text pages) "
                "and not sqlite_too; "
                "DATABASE_URL=postgres://… runs every test.")
    return "The PostgreSQL pass: every test."


# Fixtures that open the database; `db` and its kin all ask for pytest-django's helper.
_DATABASE_FIXTURES = {"_django_db_helper", "live_server"}


def uses_database(item) -> bool:
    return bool(item.get_closest_marker("django_db")
                or _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def runs_on_sqlite(item) -> bool:
    if item.get_closest_marker("sqlite_too"):
        return True
    return uses_database(item) and not item.get_closest_marker("postgres_pass")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On SQLite, only what can differ by engine (the module's docstring). Then the
    tests that need real transactions first, in their random order: they are the
    long ones (servers, workers, browsers), and started last they would leave one
    process running them while the others have nothing left to do. The other tests,
    short, then fill the cores to the end."""
    if _on_sqlite():
        kept, left = [], []
        for item in items:
            (kept if runs_on_sqlite(item) else left).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept
    items.sort(key=lambda item: not _transactional(item))


_BLOCKER = pytest.StashKey()


@pytest.fixture(scope="session", autouse=True)
def _database_blocker(request, django_db_blocker):
    request.config.stash[_BLOCKER] = django_db_blocker


@pytest.fixture(scope="session", autouse=True)
def _mail_through_the_outbox(django_test_environment):
    """Django's test set-up sends mail straight to its test mailbox; the site's mail
    goes through the outbox, as in production (the outbox then delivers it to that
    mailbox: OUTBOX_DELIVERY_BACKEND in tests/settings.py)."""
    settings.EMAIL_BACKEND = "library.mail.backends.OutboxBackend"


def _template() -> str:
    return os.environ.get("TESTS_DATABASE_TEMPLATE", "")  # set by tests/run.py


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_blocker):
    """pytest-django's (a name of this process's own), and under `tests.run`, the
    database copied there from the one the run migrated: a copy takes a second
    where the migrations take ten, in every process."""
    template = _template()
    if not template:
        return
    from django.db import connection

    name = connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            shutil.copyfile(template, name)
        else:
            quote = connection.ops.quote_name
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb):
    """A copied database is kept, not made again, by pytest-django's set-up (which
    then finds every migration applied); `django_db_setup` below drops it at the end."""
    return django_db_keepdb or bool(_template())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and at the end, what a test's server or thread may still
    hold on the test database is closed (PostgreSQL drops no database in use), and
    a copied database is dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if _template():
            connection.creation.destroy_test_db(verbosity=0)


def _transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return ("transactional_db" in names or "live_server" in names
            or bool(marker and marker.kwargs.get("transaction")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that needs real transactions ends with every table emptied. The
    reference data the migrations loaded (states, the Editors group and its
    permissions, the site's pages) is put back at once, and the database cache's
    table, which is no model's and so not emptied, is cleared (the map's weekly
    counts, the page versions), so whatever test runs next in this process, in
    whatever order, finds the database it was migrated to."""
    try:
        return (yield)
    finally:
        # The last test of the process (no next one) leaves a database about to go.
        if nextitem is not None and _transactional(item) and _BLOCKER in item.config.stash:
            from django.db import transaction

            from intercessors.management.commands.seed_demo import ensure_reference_data

            # One transaction: the states and permissions are hundreds of rows.
            with item.config.stash[_BLOCKER].unblock(), transaction.atomic():
                ensure_reference_data()
                caches["default"].clear()


@pytest.fixture
def fresh_rate_windows(time_machine):
    """Rate limits count in windows of the wall clock (15 seconds, a minute, an
    hour, a day): a test that counts up to a limit starts where a day, and so every
    shorter window, begins, so that no window ends while it counts. The clock runs
    on from there."""
    next_day = (time.time() // 86400 + 1) * 86400
    time_machine.move_to(datetime.fromtimestamp(next_day + 1, tz=UTC), tick=True)


@pytest.fixture
def member(db):
    return make_member(display_name="Hannah P.")


@pytest.fixture
def other_member(db):
    return make_member(display_name="Eli K.")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Rendered pages and today's readers live in files of this process's own, outside
    the test's transaction: every test starts with none, nor with a day's salt read
    from a store or a Redis that another test used."""
    from articles import reads
    from library.caches import page_store

    page_store().clear()
    caches["readers"].clear()
    reads.forget_salts()
    reads.pending.reset()


@pytest.fixture
def running_site(db):
    """The site's page version already set, as on a running site: a pinned query
    count is then what every request but the very first one costs."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from library.pages import pagecache

    pagecache.versions((pagecache.SITE,))
    ContentType.objects.get_for_models(*apps.get_models())  # kept by every worker


def pytest_terminal_summary(terminalreporter):
    """What a test recorded as its `summary` (record_property), at the end of the
    run's output, from any process of the run, passed or failed."""
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary" and report.when == "call":
                    terminalreporter.write_line(f"{report.nodeid} ({outcome}):\n{value}")
