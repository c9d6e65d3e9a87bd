"""A retired page is made again by one request while the others go on: readers who
already had it are served the render it replaces, readers who had none wait for the
new one, and a reader who has just written waits for it too. Sixteen readers at
once, on threads of this process, against a view that takes a fifth of a second."""
import sqlite3
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from library.pages import pagecache
from tests.net import free_port
from tests.redis_servers import caches_on

READERS = 16
pytestmark = pytest.mark.django_db(transaction=True)


class SlowPage:
    """A shared page that takes RENDER_TIME to make and says which make it is."""

    RENDER_TIME = 0.2

    def __init__(self, fail=False):
        self.renders = 0
        self.fail = fail
        self.lock = threading.Lock()
        self.view = pagecache.shared_page(depends_on=lambda request: ["article:slow"])(self.make)

    def make(self, request):
        with self.lock:
            self.renders += 1
            number = self.renders
        time.sleep(self.RENDER_TIME)
        if self.fail:
            raise RuntimeError("the render failed")
        return HttpResponse(f"<p>render {number}</p>")


def read(page, *, cookies=None) -> tuple[str, str]:
    request = RequestFactory().get("/slow/")
    request.user = AnonymousUser()
    request.COOKIES.update(cookies or {})
    try:
        response = page.view(request)
        return response["X-Page-Cache"], response.content.decode()
    finally:
        connection.close()


def at_once(page, count=READERS, **kwargs) -> list:
    """`count` readers asking for the page at the same moment."""
    start, answers = threading.Barrier(count), [None] * count

    def reader(i):
        start.wait()
        try:
            answers[i] = read(page, **kwargs)
        except Exception as error:  # noqa: BLE001 - reported in the list
            answers[i] = ("error", repr(error))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_sixteen_readers_of_a_page_no_one_has_yet_cause_one_render():
    page = SlowPage()
    answers = at_once(page)
    assert page.renders == 1
    assert sorted(how for how, _ in answers).count("miss") == 1
    assert {how for how, _ in answers} <= {"miss", "waited", "hit"}
    assert {html for _, html in answers} == {"<p>render 1</p>"}


def test_a_retired_page_is_made_once_while_its_readers_are_served_the_last_render():
    page = SlowPage()
    read(page)
    pagecache.retire("article:slow")  # a comment arrived
    answers = at_once(page)
    assert page.renders == 2
    hows = [how for how, _ in answers]
    assert hows.count("miss") == 1 and hows.count("stale") >= 1, hows
    for how, html in answers:
        assert html == ("<p>render 1</p>" if how == "stale" else "<p>render 2</p>")
    assert read(page) == ("hit", "<p>render 2</p>")


def test_a_reader_who_has_just_written_is_never_served_the_retired_render():
    page = SlowPage()
    read(page)
    pagecache.retire("article:slow")
    just_wrote = {CookieStorage.cookie_name: "a message waits"}
    answers = at_once(page, cookies=just_wrote)
    assert page.renders == 2
    assert {html for _, html in answers} == {"<p>render 2</p>"}
    assert {how for how, _ in answers} <= {"miss", "waited", "hit"}


def test_a_render_that_fails_holds_no_one_back():
    page = SlowPage(fail=True)
    started = time.monotonic()
    answers = at_once(page, count=4)
    took = time.monotonic() - started
    assert {how for how, _ in answers} == {"error"}
    assert not [key for key in pagecache.page_store().keys() if key.endswith(":rendering")]
    # The others render as soon as the failed one lets go (about two renders' time),
    # not after waiting out the RENDERING seconds a lock may hold them.
    assert took < 1.0 < pagecache.RENDERING


def test_while_the_pages_redis_is_down_every_reader_renders_without_waiting(settings):
    with caches_on(settings, pages=f"redis://127.0.0.1:{free_port()}/0"):  # no one there
        page = SlowPage()
        started = time.monotonic()
        answers = at_once(page, count=4)
        took = time.monotonic() - started
    assert {how for how, _ in answers} == {"miss"}
    assert took < 1.5  # four renders side by side, not a wait for a lock no one holds


def test_while_a_retired_page_is_being_made_its_readers_never_wait_on_the_stores_writes():
    """The server's store writes one at a time: a reader who comes while another makes
    the page, and while some write holds the store, is served the last render at once
    rather than queueing to ask for the lock another already holds."""
    page = SlowPage()
    read(page)
    pagecache.retire("article:slow")
    store = pagecache.page_store()
    [key] = [key for key in store.keys() if key.startswith(f"page{pagecache.SHAPE}:")
             and not key.endswith(":guests")]
    assert store.add(key + ":rendering", "another reader's", pagecache.RENDERING)
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a large render being kept, say
    try:
        started = time.monotonic()
        answer = read(page)
        took = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer == ("stale", "<p>render 1</p>")
    assert page.renders == 1
    assert took < 0.5, took
