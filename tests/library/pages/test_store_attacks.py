"""Attacks on the shared page store and the store of readers (issue 35): a page
answering 500, a visitor learning what another searched, a reader's address left
on disk past the day, one page rendered again and again. None of them passes on
the branch as attacked."""
import hashlib
import time
from pathlib import Path

import pytest
from django.test import Client

from intercessors.settings import cache_settings
from library.caches import ServerStore, page_store
from library.pages import pagecache
from tests.factories import make_article

ROOT = Path(__file__).resolve().parents[3]


def page_key(address: str) -> str:
    """The key `shared_page` keeps a page under, for an address as it sorts it."""
    return f"page{pagecache.SHAPE}:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def test_a_kept_page_that_cannot_be_read_back_is_rendered_again(db):
    """A row whose value is not a whole pickle (a torn write: the store runs with
    synchronous=OFF; or a value an older release kept) is unpickled outside the
    store's guard: the post answers 500 until the row expires."""
    post = make_article(title="A harvest festival in the valley")
    visitor = Client(raise_request_exception=False)
    assert visitor.get(post.get_absolute_url()).status_code == 200
    store = page_store()
    key = store.make_and_validate_key(page_key(post.get_absolute_url() + "?"))
    changed = store._db().execute("UPDATE kept SET value = ? WHERE key = ?",
                                  (b"\x80\x05\x95torn", key)).rowcount
    assert changed == 1
    response = visitor.get(post.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.sqlite_too  # no database: kept on the SQLite pass too
def test_a_damaged_store_of_readers_leaves_no_copy_of_the_day_behind(tmp_path):
    """A damaged file is renamed "….damaged-<time>" and kept for good: for the store of
    readers that is the day's salt beside the day's hashes of (address, browser,
    post), which anyone holding the file can test every IPv4 address against."""
    params = cache_settings(page_cache_dir=str(tmp_path))["readers"]
    readers = ServerStore(params["LOCATION"], params)
    readers.add("reads:salt:2026-12-07", "the-days-salt-0123456789abcdef", 3600)
    readers.add("reads:seen:2026-12-07:0123456789abcdef0123456789abcdef", 1, 3600)
    readers._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(readers.path, "r+b") as file:  # a damaged header: "not a database"
        file.write(b"\0" * 16)
    readers._local.pid = None  # a worker that opens it next
    assert readers.get("reads:salt:2026-12-07") is None
    left = [path.name for path in Path(params["LOCATION"]).iterdir()
            if b"the-days-salt" in path.read_bytes()]
    assert left == []


def test_the_proxy_does_not_tell_visitors_what_others_searched(db):
    """X-Page-Cache says "hit" when another reader asked for the same address in the
    last five minutes: on /search/?q=… that tells anyone what others searched for.
    The proxy passes it on (and adds its own X-Micro-Cache)."""
    make_article(title="Praying through a divorce")
    Client().get("/search/", {"q": "divorce"})  # someone else's search
    response = Client().get("/search/", {"q": "divorce"}, HTTP_COOKIE="sessionid=x")
    assert response["X-Page-Cache"] == "hit"  # what the app tells whoever asks
    conf = (ROOT / "deploy/nginx/intercessors.conf").read_text()
    assert "proxy_hide_header X-Page-Cache" in conf


def test_a_page_number_written_another_way_is_not_a_render_of_its_own(db):
    """`?page=1`, `?page=01`, `?page=001`, `?page=+1`, `?page=%201`: one page. Were each
    a key of its own, a script asking for them in turn would render the list every
    time (one render per version holds per key only) and fill the store (5,000
    renders) until the hot post's render is pushed out: each is sent to `?page=1`."""
    make_article(title="Rain for the valley farms")
    visitor = Client()
    assert visitor.get("/articles/", {"page": "1"})["X-Page-Cache"] == "miss"
    rendered = []
    for page in ("01", "001", "+1", " 1"):
        response = visitor.get("/articles/", {"page": page})
        if response.status_code == 200:
            rendered.append((page, response["X-Page-Cache"]))
    assert [how for _, how in rendered if how == "miss"] == [], rendered
    for page in ("01", "001", "+1", " 1"):
        response = visitor.get("/articles/", {"page": page})
        assert response.status_code == 302 and response["Location"] == "/articles/?page=1"
    assert visitor.get("/articles/", {"page": "1", "utm_source": "mail"})["Location"] == (
        "/articles/?page=1")


@pytest.mark.sqlite_too  # no database: kept on the SQLite pass too
@pytest.mark.parametrize("next_days_readers", [5, 500])
def test_yesterdays_salt_and_hashes_leave_the_disk_not_only_the_table(tmp_path,
                                                                      next_days_readers):
    """The sweep deletes the day's rows (secure_delete=ON), but the file is in WAL mode:
    the deleted pages stay in the -wal file, or in the main file until the next
    checkpoint, so yesterday's salt and (address, browser, post) hashes stay on disk
    for as long as a quiet site takes to write over them."""
    params = cache_settings(page_cache_dir=str(tmp_path))["readers"]
    readers = ServerStore(params["LOCATION"], params)
    readers.add("reads:salt:2026-12-06", "yesterdays-salt-0123456789abcdef", 0.2)
    readers.add("reads:seen:2026-12-06:feedfacefeedfacefeedfacefeedface", 1, 0.2)
    time.sleep(0.3)  # the day is over
    for n in range(next_days_readers):
        readers.add(f"reads:seen:2026-12-07:{n:032x}", 1, 3600)
    readers._trim()  # the sweep
    left = {path.name for path in Path(params["LOCATION"]).iterdir()
            for found in (b"yesterdays-salt", b"feedfacefeedface") if found in path.read_bytes()}
    assert left == set()
