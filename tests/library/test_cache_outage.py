"""Redis is an accelerator: when it is down or hangs, the site still serves pages,
keeps members logged in, holds every rate limit, and serves nothing stale after."""
import pytest
from django.test import Client

from articles.models import Article
from library.pages import pagecache
from prayers.views import PRAYED_LIMIT
from tests.factories import DEFAULT_PASSWORD, make_article, make_job_run, make_member
from tests.redis_servers import (  # noqa: F401
    DOWN,
    caches_on,
    garbage_redis,
    hanging_redis,
    private_redis,
)

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

PAGES = ["/", "/articles/", "/states/", "/states/texas/", "/search/?q=town"]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


def test_pages_render_while_redis_is_down(settings, db):
    post = make_article(title="Still here")
    with caches_on(settings, counters=DOWN, pages=DOWN):
        for path in [*PAGES, post.get_absolute_url()]:
            assert Client().get(path).status_code == 200, path
        assert "Still here" in Client().get(post.get_absolute_url()).content.decode()


def test_members_log_in_and_stay_logged_in_while_redis_is_down(settings, db):
    member = make_member(display_name="Naomi R.")
    post = make_article()
    with caches_on(settings, counters=DOWN, pages=DOWN):
        browser = Client()
        response = browser.post(
            "/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert "Naomi R." in browser.get(post.get_absolute_url()).content.decode()


def test_rate_limits_hold_in_the_database_while_redis_is_down(settings, db):
    member = make_member()
    post = make_article()
    with caches_on(settings, counters=DOWN, pages=DOWN):
        browser = Client()
        browser.force_login(member)
        url = f"/prayers/{post.prayer.pk}/prayed/"
        answers = [
            browser.post(url, HTTP_ACCEPT="application/json").status_code
            for _ in range(PRAYED_LIMIT + 1)
        ]
        assert answers[:PRAYED_LIMIT] == [200] * PRAYED_LIMIT
        assert answers[-1] == 429

        guesser = Client()
        for _ in range(6):
            response = guesser.post("/accounts/login/", {"login": member.email, "password": "x"})
        assert "Too many failed login attempts" in response.content.decode()


def test_health_says_degraded_while_pages_can_still_be_served(settings, db):
    make_job_run()
    with caches_on(settings, counters=DOWN, pages=DOWN):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable",
                               "worker": "ok"}


def test_health_is_ok_with_redis_up(settings, db, private_redis):  # noqa: F811
    make_job_run()
    with caches_on(settings, counters=private_redis.url, pages=private_redis.url):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "worker": "ok"}


def test_a_hanging_redis_is_tried_once_then_left_alone_for_a_while(
    settings, db, hanging_redis  # noqa: F811
):
    """A Redis that accepts and never answers costs one short timeout, then the site
    stops asking for a pause instead of making every request wait."""
    post = make_article(title="Served anyway")
    member = make_member()
    with caches_on(settings, counters=hanging_redis.url, pages=hanging_redis.url):
        for _ in range(10):
            assert "Served anyway" in Client().get(post.get_absolute_url()).content.decode()
        browser = Client()
        browser.force_login(member)
        for _ in range(3):
            response = browser.post(
                f"/prayers/{post.prayer.pk}/prayed/", HTTP_ACCEPT="application/json"
            )
            assert response.status_code == 200
    # One connection per alias (pages, counters) at most: the rest were not tried.
    assert 1 <= len(hanging_redis.connections) <= 2


def test_nothing_stale_comes_back_when_redis_returns(
    settings, db, private_redis, django_capture_on_commit_callbacks  # noqa: F811
):
    post = make_article(title="Before the outage")
    member = make_member()
    with caches_on(settings, counters=private_redis.url, pages=private_redis.url):
        reader = Client()
        assert "Before the outage" in reader.get(post.get_absolute_url()).content.decode()
        browser = Client()
        browser.post("/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD})
        assert browser.get("/accounts/profile/").status_code == 200

        private_redis.pause()
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.filter(pk=post.pk).update(title="Changed during the outage")
            pagecache.retire()
        assert "Changed during" in reader.get(post.get_absolute_url()).content.decode()
        browser.post("/accounts/logout/")
        private_redis.resume()

        from library import caches as site_caches

        site_caches.reset_breakers()  # the pause has passed: Redis is asked again
        html = Client().get(post.get_absolute_url()).content.decode()
        assert "Changed during the outage" in html and "Before the outage" not in html
        assert browser.get("/accounts/profile/").status_code == 302  # still logged out


def test_a_server_that_answers_nonsense_is_treated_as_down(settings, db, garbage_redis):  # noqa: F811
    post = make_article(title="Still served")
    member = make_member()
    with caches_on(settings, counters=garbage_redis.url, pages=garbage_redis.url):
        for path in [*PAGES, post.get_absolute_url()]:
            assert Client().get(path).status_code == 200, path
        browser = Client()
        browser.force_login(member)
        url = f"/prayers/{post.prayer.pk}/prayed/"
        assert browser.post(url, HTTP_ACCEPT="application/json").status_code == 200
        health = Client().get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
