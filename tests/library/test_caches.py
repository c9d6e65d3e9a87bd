"""What readers do to the page cache cannot touch what keeps accounts safe."""
import uuid

import pytest
from django.test import Client

from library import caches as library_caches
from library.caches import page_store
from tests.factories import DEFAULT_PASSWORD, make_article, make_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

TOO_MANY_LOGINS = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


# The caches' bounds, made small: a few dozen renders fill them (the site's bounds
# take thousands), and the stores sweep every few writes rather than every thousand.
BOUND, SWEEP_WRITES = 40, 5


@pytest.fixture
def small_caches(settings, monkeypatch):
    settings.CACHES = {
        alias: {**config, "OPTIONS": {**config.get("OPTIONS", {}), "MAX_ENTRIES": BOUND}}
        for alias, config in settings.CACHES.items()
    }
    monkeypatch.setattr(library_caches, "SWEEP_WRITES", SWEEP_WRITES)


def fill_the_page_cache(times=3 * BOUND):
    """Anonymous readers asking for pages under addresses never seen before, until
    the page store is full and has let its oldest renders go."""
    reader = Client()
    for _ in range(times):
        assert reader.get("/search/", {"q": uuid.uuid4().hex}).status_code == 200
    # Within the bound, but for the writes since the last sweep.
    assert 0 < len(page_store().keys()) < BOUND + SWEEP_WRITES


def test_a_login_lockout_outlives_readers_filling_the_cache(db, small_caches):
    """Real page requests, as many as it takes readers to fill the page cache (its
    bounds made small), which must not push the lockout out with them."""
    member = make_member()
    make_article()
    guesser = Client()
    for _ in range(8):
        response = guesser.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    assert TOO_MANY_LOGINS in response.content.decode()

    fill_the_page_cache()

    response = guesser.post(
        "/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD}
    )
    assert TOO_MANY_LOGINS in response.content.decode()
    assert "_auth_user_id" not in guesser.session


def test_a_password_reset_limit_outlives_readers_filling_the_cache(db, mailoutbox, small_caches):
    """As the lockout's test above: the cache filled by real requests."""
    member = make_member()
    asker = Client()
    for _ in range(5):
        asker.post("/accounts/password/reset/", {"email": member.email})
    assert len(delivered()) == 5

    fill_the_page_cache()

    response = asker.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 429
    assert len(delivered()) == 5


def test_a_page_is_cached_under_the_parameters_its_view_reads(
    db, running_site, django_assert_num_queries
):
    make_article(title="Listed once")
    reader = Client()
    reader.get("/articles/?page=1")
    # The list reads no `q`: an address with one (or a mailing's tags) is sent to the
    # address without them, whose page is kept.
    with django_assert_num_queries(0):
        response = reader.get("/articles/", {"page": "1", "q": "x", "utm_source": "mail"})
    assert response.status_code == 302 and response["Location"] == "/articles/?page=1"
    with django_assert_num_queries(2):  # the versions and the live counts
        response = reader.get(response["Location"])
    assert "Listed once" in response.content.decode()


def test_cached_pages_keep_vary_cookie(db):
    post = make_article()
    miss = Client().get(post.get_absolute_url())
    hit = Client().get(post.get_absolute_url())
    assert "Cookie" in miss["Vary"]
    assert "Cookie" in hit["Vary"]


MEMBER_PAGES = ["/accounts/profile/", "/accounts/export/", "/accounts/email/", "/admin/",
                "/accounts/password/change/", "/accounts/delete/"]


def test_member_pages_are_never_stored_by_browsers_or_proxies(db):
    from tests.partners.test_partner import pledge_form

    staff = make_member(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(staff)
    for path in MEMBER_PAGES:
        response = browser.get(path)
        assert response.status_code == 200, path
        control = response.get("Cache-Control", "")
        assert "private" in control and "no-store" in control, (path, control)
    partner = Client()
    partner.post("/partner/", pledge_form())
    thanks = partner.get("/partner/thanks/")
    assert thanks.status_code == 200
    assert "no-store" in thanks["Cache-Control"] and "private" in thanks["Cache-Control"]
    # A page for everyone stays cacheable.
    assert "no-store" not in Client().get("/").get("Cache-Control", "")


def test_a_page_prints_no_part_of_its_address_its_view_does_not_read(db):
    """Before: the log-in link and the prayer form's "next" carried the first reader's
    whole query string, and every later reader was served it (one 4 KB string made
    every log-in link answer 414)."""
    make_article()
    poison = "utm_x=POISONED" + "%22" * 300
    Client().get(f"/states/texas/?{poison}")
    Client().get(f"/articles/?{poison}")
    for path in ["/states/texas/", "/articles/"]:
        html = Client().get(path).content.decode()
        assert "POISONED" not in html and "%22%22" not in html


def test_a_lockout_holds_whatever_host_name_or_port_the_request_names(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "www.testserver"]
    member = make_member()
    guesser = Client()
    for _ in range(6):
        guesser.post("/accounts/login/", {"login": member.email, "password": "wrong"},
                     REMOTE_ADDR=f"10.1.0.{_}")
    for host in ["testserver:2", "www.testserver", "testserver:8080"]:
        response = Client().post(
            "/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD},
            HTTP_HOST=host, REMOTE_ADDR="10.2.0.1",
        )
        assert TOO_MANY_LOGINS in response.content.decode(), host


def test_a_member_cannot_keep_every_page_from_being_cached(client, db):
    from library.pages import pagecache

    member = make_member(display_name="Naomi R.")
    client.force_login(member)
    before = pagecache.versions((pagecache.SITE,))
    for _ in range(3):  # saving what is already there retires nothing
        client.post("/accounts/profile/", {"display_name": "Naomi R.", "home_state": ""})
    assert pagecache.versions((pagecache.SITE,)) == before
    answers = [
        client.post("/accounts/profile/", {"display_name": f"Naomi {n}", "home_state": ""})
        .status_code for n in range(21)
    ]
    assert answers.count(429) >= 1
    assert "Naomi 20" in client.post(
        "/accounts/profile/", {"display_name": "Naomi 20", "home_state": ""}
    ).content.decode()
