"""`manage.py release`: a migration that would break the code still serving during a
rolling restart is refused unless marked as a planned two-step change; safe ones
are applied; static files are collected beside the previous release's."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from io import StringIO
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState
from django.test import override_settings
from whitenoise import WhiteNoise

from library.releases import RELEASED_BEFORE_THE_CHECK, check_migration, plan

ROOT = Path(__file__).resolve().parents[2]

# -- The rule, on Migration objects ------------------------------------------------------

NOTE = migrations.CreateModel("Note", [
    ("id", models.BigAutoField(primary_key=True)),
    ("title", models.CharField(max_length=80)),
    ("body", models.TextField(null=True)),
])


def before():
    """The state a second migration of the app `notes` finds: a table of notes."""
    state = ProjectState()
    NOTE.state_forwards("notes", state)
    return state


def migration(*operations, **attributes):
    cls = type("Migration", (migrations.Migration,), {"operations": list(operations),
                                                       **attributes})
    return cls("0002_change", "notes")


REFUSED = {
    "RemoveField": migrations.RemoveField("note", "body"),
    "DeleteModel": migrations.DeleteModel("Note"),
    "RenameField": migrations.RenameField("note", "body", "text"),
    "RenameModel": migrations.RenameModel("Note", "Memo"),
    "AlterModelTable": migrations.AlterModelTable("note", "notes_memo"),
    # A Python default is written only while migrating; old code inserts without it.
    "AddField": migrations.AddField("note", "pinned", models.BooleanField(default=False)),
    "AlterField": migrations.AlterField("note", "body", models.TextField(default="")),
    "RunSQL": migrations.RunSQL("CREATE INDEX notes_title ON notes_note (title)"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_each_rule_refuses_its_operation_naming_it_and_what_to_do(name):
    [refusal] = check_migration(migration(REFUSED[name]), before())

    assert (refusal.app_label, refusal.name, refusal.operation) == ("notes", "0002_change", name)
    said = str(refusal)
    assert said.startswith(f"notes.0002_change: {name} ")
    assert "Instead: " in said and 'planned_two_step = "' in said


def test_a_column_dropped_behind_separate_state_is_still_refused():
    hidden = migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RemoveField("note", "body")])

    [refusal] = check_migration(migration(hidden), before())
    assert refusal.operation == "RemoveField"


def test_a_foreign_key_made_a_plain_column_is_refused_as_the_rename_it_is():
    """AlterField from ForeignKey("author") to IntegerField("author") renames the column
    author_id to author: old code still reads and writes author_id."""
    state = before()
    migrations.CreateModel("Author", [("id", models.BigAutoField(primary_key=True))]
                           ).state_forwards("notes", state)
    migrations.AddField("note", "author", models.ForeignKey(
        "notes.Author", models.CASCADE, null=True)).state_forwards("notes", state)

    [refusal] = check_migration(
        migration(migrations.AlterField("note", "author", models.IntegerField(null=True))),
        state)
    assert (refusal.operation, refusal.kind) == ("AlterField", "rename")


NARROWED = {
    "text to a number": migrations.AlterField("note", "title", models.IntegerField()),
    "a shorter text": migrations.AlterField("note", "title", models.CharField(max_length=5)),
}


@pytest.mark.parametrize("name", NARROWED)
def test_a_column_narrowed_under_running_code_is_refused(name):
    """Old code still writes 80-character titles, and text, into the column."""
    assert check_migration(migration(NARROWED[name]), before()) != []


RULES_RELIED_ON = {
    # insert_once and the rate limit's ON CONFLICT (bucket) rely on a unique rule.
    "RemoveConstraint": migrations.RemoveConstraint("note", "one_title_per_body"),
    "AlterUniqueTogether": migrations.AlterUniqueTogether("note", set()),
}


@pytest.mark.parametrize("name", RULES_RELIED_ON)
def test_a_unique_rule_old_code_relies_on_is_not_dropped_unmarked(name):
    state = before()
    migrations.AddConstraint("note", models.UniqueConstraint(
        fields=["title", "body"], name="one_title_per_body")).state_forwards("notes", state)
    migrations.AlterUniqueTogether("note", {("title", "body")}).state_forwards("notes", state)

    assert check_migration(migration(RULES_RELIED_ON[name]), state) != []


ALLOWED = {
    "a nullable column": migrations.AddField("note", "pinned", models.BooleanField(null=True)),
    "a column with a database default": migrations.AddField(
        "note", "pinned", models.BooleanField(db_default=False)),
    "a many-to-many table": migrations.AddField("note", "seen_by",
                                                models.ManyToManyField("notes.Note")),
    "a column made nullable": migrations.AlterField("note", "title",
                                                    models.CharField(max_length=80, null=True)),
    "a NOT NULL column given a database default": migrations.AlterField(
        "note", "body", models.TextField(db_default="")),
    "rows": migrations.RunPython(migrations.RunPython.noop),
    "no SQL forwards": migrations.RunSQL(migrations.RunSQL.noop, "DROP TABLE notes_note"),
    "a model leaving the state only": migrations.SeparateDatabaseAndState(
        state_operations=[migrations.DeleteModel("Note")]),
}


@pytest.mark.parametrize("name", ALLOWED)
def test_what_running_code_does_not_notice_passes(name):
    assert check_migration(migration(ALLOWED[name]), before()) == []


def test_a_table_created_in_the_same_release_may_change_freely():
    draft = migrations.CreateModel("Draft", [("id", models.BigAutoField(primary_key=True)),
                                            ("text", models.TextField())])
    changes = [migrations.AddField("draft", "state", models.CharField(max_length=9)),
               migrations.RenameModel("Draft", "Sketch"), migrations.DeleteModel("Sketch")]

    assert check_migration(migration(draft, *changes), before()) == []
    # Across migrations of one release, too.
    state, created = before(), set()
    assert check_migration(migration(draft), state, created) == []
    assert check_migration(migration(*changes), state, created) == []


def test_the_mark_lets_a_migration_through_only_with_a_reason():
    drop = migrations.RemoveField("note", "body")

    assert check_migration(migration(drop, planned_two_step="Unused since 2.3."),
                           before()) == []
    [refusal] = check_migration(migration(drop, planned_two_step="  "), before())
    assert refusal.operation == "planned_two_step" and "without a reason" in refusal.reason


def test_every_migration_of_the_repository_passes_from_an_empty_database(db):
    """The site's own migrations, as a new database would run them all: none is
    refused; those released before releases rolled (the table renames among them) are
    listed as not checked, up to each app's newest migration then."""
    found = plan(from_scratch=True)

    assert found.refusals == [] and found.marked == []
    assert {m.app_label for m in found.pending} >= {"library", "prayers", "accounts"}
    released = {f"{m.app_label}.{m.name}" for m in found.released}
    assert {"states.0002_own_tables", "partners.0002_own_table"} <= released
    assert {f"{app}.{name}" for app, name in RELEASED_BEFORE_THE_CHECK.items()} <= released
    # Django's own migrations are listed as not checked, not refused or marked.
    assert "contenttypes" in {m.app_label for m in found.unchecked}


def test_the_command_checks_a_fresh_database(tmp_path):
    """`manage.py release --check` in its own process on a new, empty SQLite file (about
    2 s): what CI runs, the whole graph of the repository's migrations."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}

    done = subprocess.run([sys.executable, "manage.py", "release", "--check"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "none drops, renames or adds a NOT NULL column" in done.stdout
    # Only checked: nothing was written.
    with sqlite3.connect(tmp_path / "new.sqlite3") as database:
        assert database.execute("SELECT name FROM sqlite_master").fetchall() == []


PRAYERS_DROP = """
from django.db import migrations


class Migration(migrations.Migration):
    {mark}
    dependencies = [("prayers", "0012_report_detail")]
    operations = [migrations.RemoveField("prayer", "body_html")]
"""


def test_a_fresh_database_refuses_a_new_drop_of_a_released_column(tmp_path):
    """CI's check on a clean clone: the prayers migrations as they are, copied beside a
    new one dropping a column every server reads, is refused on a new, empty SQLite
    file until marked. Two processes of `manage.py release --check` (about 4 s): what
    `make migrations-check` runs, on the whole graph."""
    def check_with(mark):
        package = tmp_path / f"prayers_{uuid.uuid4().hex[:8]}"
        shutil.copytree(ROOT / "prayers" / "migrations", package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        (package / "0013_remove_prayer_body_html.py").write_text(PRAYERS_DROP.format(mark=mark))
        settings_module = f"settings_{package.name}"
        (tmp_path / f"{settings_module}.py").write_text(
            "from tests.settings import *  # noqa: F403\n"
            f"MIGRATION_MODULES = {{'prayers': '{package.name}'}}\n")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
               "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1",
               "DATABASE_URL": f"sqlite:///{tmp_path / f'{package.name}.sqlite3'}"}
        return subprocess.run([sys.executable, "manage.py", "release", "--check"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60)

    refused = check_with(mark="")
    assert refused.returncode == 1
    assert ("prayers.0013_remove_prayer_body_html: RemoveField drops the column "
            "prayer.body_html") in refused.stderr

    marked = check_with(mark='planned_two_step = "Nothing reads body_html since 2.3."')
    assert marked.returncode == 0, marked.stderr
    # The new one, and any the project added since RELEASED_BEFORE_THE_CHECK.
    assert re.search(r"Checked \d+ of \d+ migrations not yet applied, each as a release of "
                     r"its own", marked.stdout), marked.stdout
    assert ("Planned two-step changes let through: prayers.0013_remove_prayer_body_html."
            in marked.stdout)


# -- The command, on real migration files -------------------------------------------------

# The app that carries the migration files: Django's humanize has no migrations of its
# own, and MIGRATION_MODULES brings ours in from outside any package.
APP = "humanize"

INITIAL = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel("Note", [
            ("id", models.BigAutoField(primary_key=True)),
            ("title", models.CharField(max_length=80)),
            ("old_text", models.TextField(null=True)),
        ]),
    ]
"""

DROP = """
from django.db import migrations


class Migration(migrations.Migration):
    {mark}
    dependencies = [("humanize", "0001_initial")]
    operations = [migrations.RemoveField("note", "old_text")]
"""


@pytest.fixture
def migration_modules(tmp_path, monkeypatch):
    """Writes a migrations package of its own name for each set of files: Python keeps
    a module once imported, so each version of the app's history is a new package."""
    monkeypatch.syspath_prepend(str(tmp_path))
    prefix = f"release_test_{uuid.uuid4().hex[:8]}"

    def write(version, files):
        package = tmp_path / f"{prefix}_{version}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for name, text in files.items():
            (package / f"{name}.py").write_text(textwrap.dedent(text))
        return package.name

    return write


@pytest.fixture
def static_source(tmp_path):
    """A small static folder and a STATIC_ROOT outside the code, with the production
    storage (hashed names and a manifest)."""
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    with override_settings(
        STATIC_ROOT=tmp_path / "collected", STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
    ):
        yield source


def release(*args) -> str:
    out = StringIO()
    call_command("release", *args, stdout=out)
    return out.getvalue()


def columns(table) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_a_dropped_column_is_refused_until_marked(transactional_db, migration_modules,
                                                  static_source):
    """Three releases through the real command on real migration files (about 1.5 s,
    and the tables emptied after: it must commit to migrate on SQLite): the one path
    that shows a refusal stops `manage.py release` and a mark lets it through."""
    (static_source / "css" / "site.css").write_text("body { color: navy; }")
    first = migration_modules("v1", {"0001_initial": INITIAL})
    unmarked = migration_modules("drop", {"0001_initial": INITIAL,
                                          "0002_remove_note_old_text": DROP.format(mark="")})
    marked = migration_modules("marked", {
        "0001_initial": INITIAL,
        "0002_remove_note_old_text": DROP.format(
            mark='planned_two_step = "Nothing reads old_text since the release before."')})
    try:
        with override_settings(MIGRATION_MODULES={APP: first}):
            said = release()
        assert "Migrations applied: humanize.0001_initial." in said
        assert "Static files: 1 static file copied to" in said
        assert columns("humanize_note") == {"id", "title", "old_text"}

        with override_settings(MIGRATION_MODULES={APP: unmarked}):
            for args in [(), ("--check",)]:
                with pytest.raises(CommandError) as refused:
                    release(*args)
                said = str(refused.value)
                assert ("humanize.0002_remove_note_old_text: RemoveField drops the column "
                        "note.old_text") in said
                assert "Instead: stop using it in one release" in said
                assert 'planned_two_step = "<why it is safe>"' in said
        assert columns("humanize_note") == {"id", "title", "old_text"}

        with override_settings(MIGRATION_MODULES={APP: marked}):
            assert "Planned two-step changes let through: humanize.0002_remove_note_old_text" \
                in release("--check")
            said = release()
        assert "Migrations applied: humanize.0002_remove_note_old_text." in said
        assert columns("humanize_note") == {"id", "title"}
    finally:
        with override_settings(MIGRATION_MODULES={APP: marked}):
            call_command("migrate", APP, "zero", verbosity=0)


def test_a_new_database_reads_each_migration_as_a_release_of_its_own(db, migration_modules):
    """A table made by an earlier migration may be one the servers use, unless the
    database shows both migrations wait for the same release."""
    with override_settings(MIGRATION_MODULES={APP: migration_modules("both", {
            "0001_initial": INITIAL, "0002_remove_note_old_text": DROP.format(mark="")})}):
        [refusal] = plan(from_scratch=True).refusals
        assert (refusal.app_label, refusal.name) == (APP, "0002_remove_note_old_text")
        # On this database, where the rest is applied, both are one release.
        assert plan().refusals == []


def test_the_previous_releases_hashed_files_stay(db, static_source):
    css = static_source / "css" / "site.css"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    css.write_text("body { color: navy; }")
    release()
    old = json.loads(manifest.read_text())["paths"]["css/site.css"]

    css.write_text("body { color: maroon; }")
    said = release()
    new = json.loads(manifest.read_text())["paths"]["css/site.css"]

    assert old != new and old.startswith("css/site.") and new.startswith("css/site.")
    assert (Path(settings.STATIC_ROOT) / old).read_text() == "body { color: navy; }"
    assert (Path(settings.STATIC_ROOT) / new).read_text() == "body { color: maroon; }"
    assert "Migrations applied: none, the database was up to date." in said


def test_static_files_inside_the_code_are_refused_before_migrating(db, static_source):
    with override_settings(STATIC_ROOT=ROOT / "staticfiles", DEBUG=False):
        with pytest.raises(CommandError, match="DJANGO_STATIC_ROOT"):
            release()


def test_whitenoise_serves_only_what_was_there_when_it_started(tmp_path):
    """Why the release runs before the servers restart (docs/deploy.md)."""
    def not_found(environ, start_response):
        start_response("404 Not Found", [])
        return [b""]

    def status(server, path):
        environ = {"PATH_INFO": path}
        setup_testing_defaults(environ)
        said = []
        server(environ, lambda status, headers: said.append(status))
        return said[0]

    (tmp_path / "old.css").write_text("a {}")
    running = WhiteNoise(not_found, root=tmp_path, prefix="static/")
    (tmp_path / "new.css").write_text("b {}")

    assert status(running, "/static/old.css").startswith("200")
    assert status(running, "/static/new.css").startswith("404")
    restarted = WhiteNoise(not_found, root=tmp_path, prefix="static/")
    assert status(restarted, "/static/new.css").startswith("200")
