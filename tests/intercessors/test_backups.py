"""Backups that restore: `manage.py backup` on a site with content, `manage.py
restore` into a fresh database and a fresh media folder, and the same posts, marks,
comments, requests, subscribers and photo found there.

A backup is only worth what its restore gives back, and the two are the one thing
that runs the engine's own tools (pg_dump and pg_restore, SQLite's backup API):
so this runs, unmarked, in both passes of `.ci/run`, each on its own engine, as the
real commands in real processes: about 4 s on SQLite and 7 s on PostgreSQL (the new
database's drop included), beside the suite's set-up.
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from prayers.models import Prayer, PrayerMark
from prayers.services import mark_prayed
from tests.factories import make_article, make_comment, make_member, make_request
from updates.models import Subscriber

ROOT = Path(__file__).resolve().parents[2]
PHOTO = "photos/2026/12/harvest.jpg"
PHOTO_BYTES = bytes(range(256)) * 40  # not valid text in any encoding: bytes kept as bytes


def database_url(settings_dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{settings_dict['NAME']}"


def manage(*args, database: dict, media: Path) -> subprocess.CompletedProcess:
    """A command as an operator runs it: the site's own settings, in a process of its own."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "intercessors.settings",
           "DATABASE_URL": database_url(database), "DJANGO_MEDIA_ROOT": str(media),
           "REDIS_URL": ""}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def fresh_database(transactional_db, tmp_path):
    """A new, empty database beside the suite's, reachable as the `restored` alias. Its
    connection is made here, not declared in settings: the test database set-up
    would create (and guard) any alias it finds there."""
    source = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"intercessors_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    restored = {**source, "NAME": name, "TEST": {}}
    connections["restored"] = load_backend(source["ENGINE"]).DatabaseWrapper(restored, "restored")
    yield restored
    connections["restored"].close()
    del connections["restored"]
    if connection.vendor == "postgresql":  # about 3 s: PostgreSQL checkpoints to drop one
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_with_content():
    writer, reader = make_member(display_name="Ruth A."), make_member(display_name="Boaz B.")
    post = make_article(title="Rain for the farms")
    default_storage.save(PHOTO, ContentFile(PHOTO_BYTES))
    Article.objects.filter(pk=post.pk).update(photo=PHOTO)
    request = make_request(author=writer, text="Pray for my brother's new job.")
    mark_prayed(user=reader, prayer=post.prayer)
    mark_prayed(user=reader, prayer=request)
    make_comment(target=post, author=writer, body="Praying for rain this week.")
    Subscriber.objects.create(email="reader@example.org", daily=True,
                              confirmed_at=timezone.now())


def what_a_reader_finds(alias: str) -> dict:
    return {
        "posts": sorted(Article.objects.using(alias).values_list("slug", "title", "photo")),
        "requests": sorted(Prayer.objects.using(alias).filter(kind=Prayer.Kind.REQUEST)
                           .values_list("text", "author__email")),
        "marks": sorted(PrayerMark.objects.using(alias)
                        .values_list("prayer__text", "user__email")),
        "comments": sorted(Comment.objects.using(alias).values_list("body", "author__email")),
        "subscribers": sorted(Subscriber.objects.using(alias)
                              .values_list("email", "daily", "confirmed_at")),
    }


def test_a_backup_restores_into_a_fresh_database_and_media_folder(
        settings, tmp_path, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    site_with_content()
    here = what_a_reader_finds("default")

    made = manage("backup", "--to", str(tmp_path / "backups"),
                  database=connection.settings_dict, media=tmp_path / "media")
    assert made.returncode == 0, made.stderr
    [archive] = (tmp_path / "backups").glob("intercessors-*.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600  # the whole database: ours alone

    restored_media = tmp_path / "restored-media"
    back = manage("restore", str(archive), database=fresh_database, media=restored_media)
    assert back.returncode == 0, back.stderr
    assert "The counts match the manifest" in back.stdout
    assert "marks: 2" in back.stdout and "prayer requests: 1" in back.stdout

    assert what_a_reader_finds("restored") == here
    assert here["marks"] and here["comments"] and here["subscribers"]
    assert (restored_media / PHOTO).read_bytes() == PHOTO_BYTES

    # Never over data: restoring into the suite's database, which has tables, is refused.
    with pytest.raises(CommandError, match="restore goes only into an empty database"):
        call_command("restore", str(archive))
    assert Article.objects.count() == 1
