"""The store every worker of a server shares its renders in (library.caches.ServerStore):
what one process keeps another finds, one lock among many processes, and bounds."""
import multiprocessing
import time

import pytest

from library.caches import SWEEP_WRITES, ServerStore


def store(folder, **options) -> ServerStore:
    return ServerStore(str(folder), {"TIMEOUT": 300, "OPTIONS": options})


def test_what_one_process_keeps_another_finds(tmp_path):
    context = multiprocessing.get_context("spawn")  # a new interpreter, as a new worker is
    writer = context.Process(target=_keep, args=(str(tmp_path), "page", b"<p>kept</p>"))
    writer.start()
    writer.join(30)
    assert writer.exitcode == 0
    assert store(tmp_path).get("page") == b"<p>kept</p>"


def _keep(folder, key, value):
    store(folder).set(key, value)


def _try_lock(folder, start, results):
    start.wait()
    results.put(store(folder).add("lock", 1, 5))


def test_one_of_many_processes_takes_a_lock(tmp_path):
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    racers = [context.Process(target=_try_lock, args=(str(tmp_path), start, results))
              for _ in range(8)]
    for racer in racers:
        racer.start()
    start.set()
    taken = [results.get(timeout=30) for _ in racers]
    for racer in racers:
        racer.join(30)
    assert sorted(taken) == [False] * 7 + [True]


def test_a_lock_that_expired_can_be_taken_again(tmp_path):
    kept = store(tmp_path)
    assert kept.add("lock", 1, 0.2)
    assert not kept.add("lock", 1, 0.2)
    time.sleep(0.3)
    assert kept.add("lock", 2, 0.2) and kept.get("lock") == 2


def test_values_expire_and_can_be_deleted(tmp_path):
    kept = store(tmp_path)
    kept.set("short", "a", 0.2)
    kept.set("long", "b", None)
    assert kept.get_many(["short", "long", "none"]) == {"short": "a", "long": "b"}
    time.sleep(0.3)
    assert kept.get("short") is None and kept.get("long") == "b"
    assert kept.delete("long") and not kept.has_key("long")
    assert kept.touch("none") is False


@pytest.mark.parametrize("bound", [{"MAX_ENTRIES": 100}, {"MAX_BYTES": 100 * 1100}])
def test_past_its_bounds_the_oldest_writes_give_way(tmp_path, bound):
    kept = store(tmp_path, **bound)
    for number in range(SWEEP_WRITES):  # a sweep comes with the last of them
        kept.set(f"page-{number}", b"x" * 1000)
    left = kept.keys()
    assert 50 <= len(left) <= 101
    assert f"page-{SWEEP_WRITES - 1}" in left and "page-0" not in left


def test_a_store_made_before_a_fork_opens_its_own_connection_after(tmp_path):
    kept = store(tmp_path)
    kept.set("before", 1)
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_keep_with, args=(kept,))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and kept.get("after") == 2


def _keep_with(kept):
    assert kept.get("before") == 1
    kept.set("after", 2)


def test_a_store_that_cannot_be_used_acts_as_an_empty_one(tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    kept = store(blocked)  # its folder cannot be made
    kept.set("page", b"<p>kept</p>")
    assert kept.get("page") is None and kept.get("page", "gone") == "gone"
    assert kept.add("lock", 1) is True  # no one else can hold it either
    assert kept.delete("page") is False
    assert "Page store" in caplog.text and "unavailable" in caplog.text


def test_a_damaged_file_is_rendered_around(tmp_path, client, db, settings):
    from tests.factories import make_article

    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "library.caches.ServerStore", "LOCATION": str(tmp_path)}}
    (tmp_path / "pages.sqlite3").write_bytes(b"this is not a database file" * 100)
    post = make_article(title="A harvest festival in the valley")
    for _ in range(2):
        response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "A harvest festival in the valley" in response.content.decode()


def test_a_folder_others_may_write_is_not_used(tmp_path, caplog):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # as a name someone else made first in a shared folder would be
    kept = store(shared)
    kept.set("page", b"<p>kept</p>")
    assert kept.get("page") is None and not (shared / "pages.sqlite3").exists()
    assert "must belong to this user" in caplog.text
    shared.chmod(0o700)
    kept.set("page", b"<p>kept</p>")
    assert kept.get("page") == b"<p>kept</p>"
