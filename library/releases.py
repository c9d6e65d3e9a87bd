"""A release: check the migrations not yet applied, apply them, collect the static
files, in that order (`manage.py release`, docs/deploy.md "Upgrading").

During a rolling restart the old code keeps serving beside the new schema, so a
release may not take from it what it still reads or writes: a column or table
dropped or renamed, or a column made NOT NULL that old code leaves out of its
inserts. Such a change is made in two releases (stop using it, then drop it), and
the migration of the second step says so with a reason:

    class Migration(migrations.Migration):
        planned_two_step = "Unused since the release that stopped writing it."

Anything done to a table created earlier in the same release is harmless: no running
code knows it. On a database with no migration applied (CI's, a new server's) nothing
tells one release from the next, so each migration is read as a release of its own;
what passes there passes in any release. The migrations released before releases
rolled (RELEASED_BEFORE_THE_CHECK) and those installed with packages (Django's,
allauth's, ...), which cannot carry the mark, are listed as not checked.
"""
import site
import sys
import sysconfig
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED

MARK = "planned_two_step"

# The newest migration of each app of ours released while every server stopped for a
# release, before releases rolled: no server runs code older than these, so they and
# those before them are not checked. Every later migration is, and so is every
# migration of an app added since; nothing is ever added here.
RELEASED_BEFORE_THE_CHECK = {
    "intercessors": "0009_privacy_requests_and_mail",
    "accounts": "0008_user_notify_answered",
    "updates": "0007_web_archive",
    "partners": "0002_own_table",
    "articles": "0008_photo_sizes",
    "states": "0004_call_phone_links",
    "prayers": "0012_report_detail",
    "comments": "0006_report_detail",
    "library": "0004_letters",
}

INSTEAD = {
    "drop": "stop using it in one release (make a column nullable or give it a "
            "db_default first), drop it in the next",
    "rename": "add the new one beside the old and copy the data in one release, "
              "drop the old one in the next",
    "not null": "give the field a db_default (or null=True) in this release, and make "
                "it NOT NULL without one in a later release",
    "sql": "write it as Django operations, or mark the migration if the SQL takes "
           "nothing from the running code",
    "narrow": "add a column of the new type beside the old one and copy the data in one "
              "release, drop the old one in the next",
    "unique": "stop relying on the rule in one release, drop it in the next",
}

# Column types old values and old code's writes always fit into.
_WIDER = {
    "CharField": {"TextField"},
    "SmallIntegerField": {"IntegerField", "BigIntegerField"},
    "IntegerField": {"BigIntegerField"},
    "PositiveSmallIntegerField": {"PositiveIntegerField", "PositiveBigIntegerField",
                                  "IntegerField", "BigIntegerField"},
    "PositiveIntegerField": {"PositiveBigIntegerField", "BigIntegerField"},
}


class ReleaseError(Exception):
    pass


@dataclass(frozen=True)
class Refusal:
    app_label: str
    name: str
    operation: str
    reason: str
    kind: str

    def __str__(self):
        return (f"{self.app_label}.{self.name}: {self.operation} {self.reason}. Old code "
                f"still serving during the release would fail. Instead: {INSTEAD[self.kind]}; "
                f"or, if this is that planned second step, set {MARK} = \"<why it is safe>\" "
                f"on the Migration class.")


@dataclass
class Plan:
    pending: list  # the Migration objects not yet applied, in order
    refusals: list[Refusal]
    marked: list  # the pending migrations let through by their mark
    unchecked: list  # the pending migrations of installed packages
    released: list  # the pending migrations of ours released before the check
    new_database: bool  # nothing applied yet: each migration checked as a release
    checked: int = 0


def _has_table(state, app_label, model_name) -> bool:
    model = state.models.get((app_label, model_name.lower()))
    return model is not None and model.options.get("managed", True) and not model.options.get(
        "proxy", False)


def _old_field(state, app_label, model_name, name):
    model = state.models.get((app_label, model_name.lower()))
    return model.fields.get(name) if model else None


def _column(field, name) -> str:
    """The field's column: a foreign key's is `name_id` unless db_column says."""
    field = field.clone()
    field.set_attributes_from_name(name)
    return field.column


def _narrows(old, new) -> bool:
    """Whether values old code writes may no longer fit the column."""
    if old.is_relation or new.is_relation:
        return False  # a key's type follows the primary key it points to
    before, after = old.get_internal_type(), new.get_internal_type()
    if before != after:
        return after not in _WIDER.get(before, set())
    if (old.max_length or 0) and (new.max_length or 0) < old.max_length:
        return True
    return any((getattr(new, attr, None) or 0) < (getattr(old, attr, None) or 0)
               for attr in ("max_digits", "decimal_places"))


def _not_null_without_default(field) -> bool:
    return not (field.null or field.db_default is not NOT_PROVIDED or field.many_to_many
                or field.generated)


def _refusal(operation, state, app_label):
    """(kind, reason) when the operation takes something from running code, else None."""
    if isinstance(operation, migrations.RemoveField):
        if _has_table(state, app_label, operation.model_name):
            return "drop", f"drops the column {operation.model_name}.{operation.name}"
    elif isinstance(operation, migrations.DeleteModel):
        if _has_table(state, app_label, operation.name):
            return "drop", f"drops the table of {operation.name}"
    elif isinstance(operation, migrations.RenameField):
        old = _old_field(state, app_label, operation.model_name, operation.old_name)
        if old is None or not old.db_column:
            return "rename", (f"renames the column {operation.model_name}.{operation.old_name} "
                              f"to {operation.new_name}")
    elif isinstance(operation, migrations.RenameModel):
        return "rename", f"renames the table of {operation.old_name} to {operation.new_name}'s"
    elif isinstance(operation, migrations.AlterModelTable):
        return "rename", (f"renames the table of {operation.name} to "
                          f"{operation.table or 'its default name'}")
    elif isinstance(operation, migrations.AddField):
        if (_has_table(state, app_label, operation.model_name)
                and _not_null_without_default(operation.field)):
            return "not null", (f"adds the NOT NULL column {operation.model_name}."
                                f"{operation.name} without a db_default (a Python default "
                                "is set only while migrating)")
    elif isinstance(operation, migrations.AlterField):
        old = _old_field(state, app_label, operation.model_name, operation.name)
        new = operation.field
        if old is None or not _has_table(state, app_label, operation.model_name):
            return None
        if _column(old, operation.name) != _column(new, operation.name):
            return "rename", (f"renames the column of {operation.model_name}."
                              f"{operation.name}")
        if _narrows(old, new):
            return "narrow", (f"changes {operation.model_name}.{operation.name} to a type "
                              "old code's values may not fit")
        if old.unique and not new.unique and not new.primary_key:
            return "unique", (f"drops the unique rule of {operation.model_name}."
                              f"{operation.name}")
        if _not_null_without_default(new) and (old.null or old.db_default is not NOT_PROVIDED):
            return "not null", (f"makes {operation.model_name}.{operation.name} NOT NULL "
                                "without a db_default")
    elif isinstance(operation, migrations.RemoveConstraint):
        model = state.models.get((app_label, operation.model_name.lower()))
        dropped = [c for c in (model.options.get("constraints", []) if model else [])
                   if c.name == operation.name]
        if dropped and isinstance(dropped[0], models.UniqueConstraint):
            return "unique", f"drops the unique rule {operation.name}"
    elif isinstance(operation, migrations.AlterUniqueTogether):
        model = state.models.get((app_label, operation.name_lower))
        before = {tuple(f) for f in (model.options.get("unique_together") or ())
                  } if model else set()
        gone = before - {tuple(f) for f in (operation.unique_together or ())}
        if gone:
            return "unique", (f"drops the unique rule of {operation.name} on "
                              f"{', '.join(map(str, sorted(gone)))}")
    elif isinstance(operation, migrations.RunSQL):
        if operation.sql not in ("", []):
            return "sql", "runs SQL, which cannot be checked"
    return None


def _model_of(operation):
    return getattr(operation, "model_name", None) or getattr(operation, "name", None) or getattr(
        operation, "old_name", None)


def _walk(operations, state, app_label, created):
    """Each operation's refusal, if any, against the state it finds; `state` moves on.
    A table created earlier in the release (`created`, which grows) is one no running
    code knows, so anything done to it is harmless."""
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            # Only what reaches the database can break running code.
            yield from _walk(operation.database_operations, state.clone(), app_label, created)
        elif isinstance(operation, migrations.CreateModel):
            created.add((app_label, operation.name_lower))
        elif isinstance(operation, migrations.RenameModel):
            if (app_label, operation.old_name_lower) in created:
                created.add((app_label, operation.new_name_lower))
            else:
                yield operation, _refusal(operation, state, app_label)
        elif (app_label, str(_model_of(operation)).lower()) not in created:
            found = _refusal(operation, state, app_label)
            if found:
                yield operation, found
        operation.state_forwards(app_label, state)


def check_migration(migration, state: ProjectState, created=None) -> list[Refusal]:
    """The refusals of one migration, read against the state before it (which it moves
    forward; `created`, the tables made earlier in the release, grows). Marked
    migrations have none, but the mark needs a reason."""
    created = set() if created is None else created
    found = [Refusal(migration.app_label, migration.name, type(operation).__name__, reason,
                     kind)
             for operation, (kind, reason) in _walk(migration.operations, state,
                                                    migration.app_label, created)]
    if not found:
        return []
    mark = getattr(migration, MARK, None)
    if isinstance(mark, str) and mark.strip():
        return []
    if mark is not None:
        return [Refusal(migration.app_label, migration.name, MARK,
                        "is set without a reason (a sentence saying why it is safe)", kind)
                for kind in {refusal.kind for refusal in found}]
    return found


def _package_paths() -> list[Path]:
    places = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    places.update(site.getsitepackages())
    return [Path(place).resolve() for place in places]


def is_package_migration(migration) -> bool:
    """A migration installed with a package (Django's, allauth's): not ours to mark,
    unless MIGRATION_MODULES brings the app's migrations into the project."""
    path = Path(sys.modules[type(migration).__module__].__file__).resolve()
    return any(path.is_relative_to(place) for place in _package_paths())


def plan(*, database="default", from_scratch=False) -> Plan:
    """What `migrate` would apply to the database now (every migration, from_scratch),
    with the refusals among them."""
    executor = MigrationExecutor(connections[database])
    graph = executor.loader.graph
    targets = graph.leaf_nodes()
    pending = [migration for migration, _backwards in
               executor.migration_plan(targets, clean_start=from_scratch)]
    keys = {(migration.app_label, migration.name) for migration in pending}
    released = {key for app_label, name in RELEASED_BEFORE_THE_CHECK.items()
                if app_label in executor.loader.migrated_apps
                for key in graph.forwards_plan((app_label, name))}
    new_database = from_scratch or not executor.loader.applied_migrations
    result = Plan(pending=pending, refusals=[], marked=[], unchecked=[], released=[],
                  new_database=new_database)
    state = ProjectState(real_apps=executor.loader.unmigrated_apps)
    # On a new database the plan is every release at once: a table an earlier
    # migration created may be one the servers already use.
    created = None if new_database else set()
    for migration, _backwards in executor.migration_plan(targets, clean_start=True):
        key = (migration.app_label, migration.name)
        if key not in keys:
            migration.mutate_state(state, preserve=False)
        elif is_package_migration(migration):
            result.unchecked.append(migration)
            migration.mutate_state(state, preserve=False)
        elif key in released:
            result.released.append(migration)
            migration.mutate_state(state, preserve=False)
        else:
            result.checked += 1
            refusals = check_migration(migration, state, created)
            result.refusals += refusals
            if not refusals and getattr(migration, MARK, None):
                result.marked.append(migration)
    return result


def check(*, database="default") -> Plan:
    """The plan of the waiting migrations; raises ReleaseError naming every refusal."""
    found = plan(database=database)
    if found.refusals:
        raise ReleaseError("\n".join(["Refused:", *map(str, found.refusals)]))
    return found


def _names(migrations_) -> str:
    return ", ".join(f"{m.app_label}.{m.name}" for m in migrations_)


def check_lines(found: Plan) -> list[str]:
    if not found.pending:
        return ["Checked: no migrations waiting."]
    each = ", each as a release of its own (a new database)" if found.new_database else ""
    lines = [f"Checked {found.checked} of {len(found.pending)} migrations not yet applied"
             f"{each}: " + (f"{len(found.refusals)} refused." if found.refusals else
                            "none drops, renames or adds a NOT NULL column without a default.")]
    if found.marked:
        lines.append(f"Planned two-step changes let through: {_names(found.marked)}.")
    if found.released:
        lines.append(f"Not checked, released before releases rolled: {len(found.released)} "
                     "of ours (RELEASED_BEFORE_THE_CHECK in library/releases.py).")
    if found.unchecked:
        lines.append(f"Not checked, installed packages' migrations: {_names(found.unchecked)}.")
    return lines


def check_static_root():
    """The previous release's hashed files must outlive a new checkout of the code."""
    root = Path(settings.STATIC_ROOT).resolve()
    if not settings.DEBUG and root.is_relative_to(Path(settings.BASE_DIR).resolve()):
        raise ReleaseError(
            f"STATIC_ROOT ({root}) is inside the code's folder, where the next release's "
            "checkout would start without the files pages still being served ask for. Set "
            "DJANGO_STATIC_ROOT to a folder outside it, e.g. /var/lib/intercessors/static.")


def release(*, database="default") -> list[str]:
    """Check, migrate, collect; the lines saying what was done. Raises ReleaseError,
    before any change, when a migration is refused or STATIC_ROOT is misplaced."""
    found = check(database=database)
    check_static_root()
    lines = check_lines(found)
    call_command("migrate", database=database, interactive=False, verbosity=0)
    lines.append(f"Migrations applied: {_names(found.pending)}." if found.pending
                 else "Migrations applied: none, the database was up to date.")
    # Never --clear: pages rendered by servers still on the previous release ask for
    # its hashed files; they stay beside the new ones.
    collected = StringIO()
    call_command("collectstatic", interactive=False, verbosity=1, stdout=collected)
    lines.append("Static files: " + " ".join(collected.getvalue().split()))
    return lines
