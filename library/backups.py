"""Backups that restore: one archive holding the database (pg_dump's custom format, or
SQLite's online backup), the media read through the storage API, and a manifest of
counts and checksums that a restore checks itself against.

The site's `manage.py backup` and `manage.py restore` are thin shells over
`write_backup` and `restore_backup`, and name the tables worth counting. A restore
goes only into an empty database (no tables at all): it never merges into, or writes
over, a site that is running.
"""
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
POSTGRES_DUMP = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must act on; the message says what."""


def _count_queries(tables, placeholder: str):
    """(name, sql, params) for each counted table, read from the models' own table
    names, so that the same queries run on the live database and on a restored one.
    `tables` are (name, "app_label.Model", None or (field, value)), given by the site."""
    for name, label, where in tables:
        meta = apps.get_model(label)._meta
        sql = f'SELECT COUNT(*) FROM "{meta.db_table}"'
        params = []
        if where:
            sql += f' WHERE "{meta.get_field(where[0]).column}" = {placeholder}'
            params.append(where[1])
        yield name, sql, params


def count_rows(cursor, tables, placeholder="%s") -> dict[str, int]:
    counts = {}
    for name, sql, params in _count_queries(tables, placeholder):
        cursor.execute(sql, params)
        counts[name] = cursor.fetchone()[0]
    return counts


def _migration_state(cursor) -> dict[str, str]:
    # Migration names start with their number, so the greatest name is the latest.
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def postgres_environment(settings_dict: dict) -> dict[str, str]:
    """The libpq variables for a Django database: the password never appears on a
    command line, where any user of the machine could read it."""
    env = {**os.environ}
    for var, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                     ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")]:
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
        else:
            env.pop(var, None)
    options = settings_dict.get("OPTIONS") or {}
    for var, key in [("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"),
                     ("PGSSLCERT", "sslcert"), ("PGSSLKEY", "sslkey")]:
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _sha256(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def media_names(storage=default_storage, folder="") -> list[str]:
    """Every file in the storage, by walking `listdir`: a local folder and an object
    store alike."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder not made yet: no upload so far
        return []
    names = [str(PurePosixPath(folder, name)) if folder else name for name in files]
    for sub in folders:
        names += media_names(storage, str(PurePosixPath(folder, sub)) if folder else sub)
    return sorted(names)


def _snapshot_database(into: Path, tables) -> tuple[str, dict, dict]:
    """Writes the database into the folder; returns its name in the archive, with the
    migration state and the counts of the very same moment."""
    vendor = connection.vendor
    if vendor == "postgresql":
        # One snapshot for the dump and the counts: on a live site they agree.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            migrations, counts = _migration_state(cursor), count_rows(cursor, tables)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={into / POSTGRES_DUMP}"],
                 postgres_environment(connection.settings_dict))
        return POSTGRES_DUMP, migrations, counts
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(into / SQLITE_FILE)
        try:
            connection.connection.backup(target)
            # Counted in the copy, which no one else writes to.
            cursor = target.cursor()
            migrations, counts = _migration_state(cursor), count_rows(cursor, tables, "?")
        finally:
            target.close()
        return SQLITE_FILE, migrations, counts
    raise BackupError(f"Backups know PostgreSQL and SQLite, not {vendor}.")


def write_backup(folder: Path, *, counted, now: datetime | None = None) -> tuple[Path, dict]:
    """One dated archive in the folder; returns its path and its manifest. It is
    written under a temporary name and renamed when complete, so a half-written
    archive never looks like a backup."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"intercessors-{now:%Y-%m-%dT%H%MZ}.tar.gz"
    if path.exists():  # a second backup within the minute keeps the first
        path = folder / f"intercessors-{now:%Y-%m-%dT%H%M%SZ}.tar.gz"
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="intercessors-backup-") as work:
        # The database first, then the media: a photo uploaded meanwhile is in the
        # archive without its post, never a post without its photo.
        database, migrations, counts = _snapshot_database(Path(work), counted)
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "database": database,
            "migrations": migrations,
            "counts": counts,
            "media": [],
        }
        try:
            # The whole database is in it: readable by the site's own user only.
            partial.touch(mode=0o600)
            _write_archive(partial, Path(work) / database, manifest)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(path)
    return path, manifest


def _write_archive(path: Path, database: Path, manifest: dict) -> None:
    """The database file, every media file (listed into the manifest as it is read),
    then the manifest."""
    mtime = int(datetime.fromisoformat(manifest["created"]).timestamp())
    with tarfile.open(path, "w:gz") as archive:
        archive.add(database, arcname=manifest["database"])
        for name in media_names():
            with default_storage.open(name, "rb") as stream:
                sha256, size = _sha256(stream)
                stream.seek(0)
                info = tarfile.TarInfo(MEDIA + name)
                info.size, info.mtime = size, mtime
                archive.addfile(info, stream)
            manifest["media"].append({"name": name, "size": size, "sha256": sha256})
        data = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), mtime
        archive.addfile(info, io.BytesIO(data))


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except KeyError:
        raise BackupError("This archive has no manifest.json: it is not one of our "
                          "backups, or it was cut short.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def existing_tables() -> list[str]:
    """The tables already in the target database (in its search path on PostgreSQL)."""
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _check_empty() -> None:
    tables = existing_tables()
    if tables:
        name = connection.settings_dict["NAME"]
        raise BackupError(
            f"The database {name} already has {len(tables)} tables: a restore goes only "
            "into an empty database, and never over a site's data. Create a new database "
            "(PostgreSQL: createdb; SQLite: a new file name), point DATABASE_URL at it, "
            "and restore there; do not run migrate first.")


@dataclass
class MediaPlan:
    to_write: list[dict]
    already_there: list[dict]


def _plan_media(manifest: dict) -> MediaPlan:
    """Which photos to write. A file already in the storage with the same bytes is
    left alone; one with other bytes stops the restore before anything is written."""
    plan = MediaPlan([], [])
    clashes = []
    for entry in manifest["media"]:
        if not default_storage.exists(entry["name"]):
            plan.to_write.append(entry)
            continue
        with default_storage.open(entry["name"], "rb") as stream:
            same = _sha256(stream)[0] == entry["sha256"]
        (plan.already_there if same else clashes).append(entry)
    if clashes:
        raise BackupError(
            f"{len(clashes)} media files already exist with other contents "
            f"(first: {clashes[0]['name']}); restore into an empty media storage.")
    return plan


def _restore_database(archive: tarfile.TarFile, manifest: dict, work: Path) -> None:
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"This backup is of a {manifest['engine']} database; the "
                          f"configured one is {connection.vendor}.")
    archive.extract(manifest["database"], work, filter="data")
    source = work / manifest["database"]
    if connection.vendor == "postgresql":
        connection.close()
        # One transaction: a restore that fails leaves the database empty again.
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={connection.settings_dict['NAME']}",
              str(source)], postgres_environment(connection.settings_dict))
    else:
        connection.close()
        copy, target = sqlite3.connect(source), sqlite3.connect(connection.settings_dict["NAME"])
        try:
            copy.backup(target)
        finally:
            copy.close()
            target.close()


def _restore_media(archive: tarfile.TarFile, plan: MediaPlan) -> None:
    for entry in plan.to_write:
        stream = archive.extractfile(MEDIA + entry["name"])
        saved = default_storage.save(entry["name"], File(stream, name=entry["name"]))
        if saved != entry["name"]:
            raise BackupError(f"The storage saved {entry['name']} as {saved}.")
        with default_storage.open(saved, "rb") as back:
            if _sha256(back)[0] != entry["sha256"]:
                raise BackupError(f"{saved} reads back with other bytes than were saved.")


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    media_written: int
    media_kept: int

    @property
    def matches(self) -> bool:
        return self.counts == self.manifest["counts"]


def restore_backup(path: Path, *, counted) -> RestoreResult:
    """Brings an archive back into the configured, empty database and the media
    storage, then counts the key tables again."""
    _check_empty()
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        plan = _plan_media(manifest)
        # The photos first: a restore that stops anywhere leaves the database empty
        # (pg_restore runs in one transaction), and running it again keeps the
        # photos already written.
        _restore_media(archive, plan)
        with tempfile.TemporaryDirectory(prefix="intercessors-restore-") as work:
            _restore_database(archive, manifest, Path(work))
    with connection.cursor() as cursor:
        counts = count_rows(cursor, counted)
    return RestoreResult(manifest, counts, len(plan.to_write), len(plan.already_there))
