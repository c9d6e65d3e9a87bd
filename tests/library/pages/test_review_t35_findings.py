"""Review of issue 35: failing tests that show defects found in review. Each names
the finding it shows; none of them passes on the branch as reviewed."""
import hashlib
import sqlite3
import time
from datetime import date

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from articles.models import ReadDay
from articles.selectors import read_ranking
from intercessors.settings import cache_settings
from library.caches import ServerStore, page_store
from library.pages import pagecache
from tests.factories import make_article

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


def page_key(path: str) -> str:
    """The key `shared_page` keeps a page under, for an address with no query."""
    return f"page{pagecache.SHAPE}:" + hashlib.sha256(f"{path}?".encode()).hexdigest()[:32]


def test_finding_1_a_member_who_just_commented_is_not_served_the_page_before_it(
        client, member):
    post = make_article(title="Rain for the valley farms")
    Client().get(post.get_absolute_url())  # a reader before the comment: a render kept
    client.force_login(member)
    answer = client.post("/comments/post/", {"target": "articles.article",
                                             "object_id": post.pk,
                                             "body": "Praying for the valley tonight."})
    assert answer.status_code == 302
    # At this moment another reader's request is making the retired page again.
    assert page_store().add(page_key(post.get_absolute_url()) + ":rendering", 1,
                            pagecache.RENDERING)
    response = client.get(post.get_absolute_url())
    assert "Praying for the valley tonight." in response.content.decode(), (
        response["X-Page-Cache"])


@pytest.mark.sqlite_too  # no database: kept on the SQLite pass too
def test_finding_2_yesterdays_salt_and_reader_hashes_leave_the_servers_store(tmp_path):
    params = cache_settings(page_cache_dir=str(tmp_path))["readers"]
    readers = ServerStore(params["LOCATION"], params)
    readers.add("reads:salt:2026-12-06", "a salt", 0.2)
    readers.add("reads:seen:2026-12-06:0123456789abcdef", 1, 0.2)
    time.sleep(0.3)  # the day is over
    for n in range(2_000):  # the next day's readers on a small site
        readers.add(f"reads:seen:2026-12-07:{n:032x}", 1, 3600)
    with sqlite3.connect(readers.path) as db:
        left = db.execute("SELECT key FROM kept WHERE key LIKE '%2026-12-06%'").fetchall()
    assert left == []


def test_finding_3_a_render_that_outlives_its_lock_leaves_the_next_holders_lock(db):
    store = page_store()
    key = "page-under-test"
    lock = key + ":rendering"

    def slow_render():
        # The render took longer than RENDERING: its lock expired and another
        # request took the lock to render the page too.
        store.delete(lock)
        assert store.add(lock, "the other request", pagecache.RENDERING)
        return HttpResponse("<p>made</p>")

    request = RequestFactory().get("/page-under-test/")
    pagecache._kept_or_rendered(request, key, ("v1",), slow_render)
    assert store.get(lock) == "the other request"


def test_finding_4_an_editions_week_of_reads_ends_on_its_day(db):
    post = make_article(title="Rain for the valley farms")
    ReadDay.objects.create(article=post, day=date(2026, 12, 5), readers=40)
    # The daily email of December 1st, or its page on the web viewed later.
    assert read_ranking(today=date(2026, 12, 1)) == []


def test_finding_5_a_post_taken_down_is_not_served_from_its_last_render(db):
    from articles.models import Article
    from articles.services import save_post

    post = make_article(title="A report staff will take down")
    assert Client().get(post.get_absolute_url()).status_code == 200  # kept for every reader
    post.status = Article.Status.DRAFT  # staff take the post down
    save_post(article=post)
    assert Client().get(post.get_absolute_url()).status_code == 404  # nothing kept
    # Another reader's request is making the page at this moment, as one nearly always
    # is while a hot post is read.
    assert page_store().add(page_key(post.get_absolute_url()) + ":rendering", 1,
                            pagecache.RENDERING)
    response = Client().get(post.get_absolute_url())
    assert response.status_code == 404, response.get("X-Page-Cache")
