"""Anonymous readers share cached pages; writes retire them; members never get them."""
import pytest
from django.test import Client

from comments.services import post_comment
from prayers.services import mark_prayed
from tests.factories import make_article, make_member


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


def test_second_anonymous_view_makes_no_query(client, db, django_assert_num_queries):
    post = make_article(title="Cached post")
    client.get(post.get_absolute_url())
    with django_assert_num_queries(2):  # version and page, from the database cache
        response = client.get(post.get_absolute_url())
    assert "Cached post" in response.content.decode()
    assert "Content-Security-Policy" in response


def test_a_comment_shows_at_once_for_everyone(
    client, member, db, django_capture_on_commit_callbacks
):
    post = make_article()
    client.get(post.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=member, target=post, body="Fresh words")
    assert "Fresh words" in Client().get(post.get_absolute_url()).content.decode()


def test_prayer_counts_refresh_and_members_see_their_own_at_once(
    member, db, django_capture_on_commit_callbacks
):
    post = make_article()
    anonymous = Client()
    anonymous.get(post.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        mark_prayed(user=member, prayer=post.prayer)
    assert "1 person has prayed" in anonymous.get(post.get_absolute_url()).content.decode()
    other = make_member()
    with django_capture_on_commit_callbacks(execute=True):
        mark_prayed(user=other, prayer=post.prayer)  # within the same second: throttled
    own = Client()
    own.force_login(other)
    html = own.get(post.get_absolute_url()).content.decode()
    assert "You prayed" in html and "2 have prayed" in html


def test_pages_with_a_session_or_messages_are_never_cached(client, member, db):
    post = make_article()
    client.force_login(member)
    client.get(post.get_absolute_url())
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Hannah P." in html  # a member's page, rendered for them
    assert "Hannah P." not in Client().get(post.get_absolute_url()).content.decode()


def test_anonymous_pages_carry_no_csrf_token_or_cookie(client, db):
    post = make_article()
    response = client.get(post.get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_anonymous_prayed_click_from_another_site_is_refused(client, db):
    post = make_article()
    url = f"/prayers/{post.prayer.pk}/prayed/"
    assert client.post(url, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post(url, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    response = client.post(
        url, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
