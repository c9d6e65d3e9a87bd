"""Anonymous readers share cached pages; writes retire them; members never get them."""
import pytest
from django.test import Client

from comments.services import post_comment
from prayers.services import mark_prayed
from tests.factories import make_article, make_member


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


def test_second_anonymous_view_makes_no_query(client, db, running_site, django_assert_num_queries):
    post = make_article(title="Cached post")
    client.get(post.get_absolute_url())
    with django_assert_num_queries(1):  # the version; the page comes from memory
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


def test_a_messages_cookie_skips_the_cache_and_unknown_parameters_are_ignored(client, db):
    post = make_article(title="Original title")
    Client().get(post.get_absolute_url())
    type(post).objects.filter(pk=post.pk).update(title="Changed title")  # no bump
    assert "Original title" in Client().get(post.get_absolute_url()).content.decode()
    with_messages = Client()
    with_messages.cookies["messages"] = "x"
    assert "Changed title" in with_messages.get(post.get_absolute_url()).content.decode()
    # The post page reads no parameter: ?x=1 is the same page, from the same entry.
    assert "Original title" in Client().get(post.get_absolute_url() + "?x=1").content.decode()


def test_a_throttled_count_change_is_not_lost(db, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from intercessors import pagecache

    post = make_article()
    members = [make_member(), make_member()]
    reader = Client()
    reader.get(post.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        mark_prayed(user=members[0], prayer=post.prayer)
        mark_prayed(user=members[1], prayer=post.prayer)  # throttled: marked dirty
    assert cache.get(pagecache.DIRTY_KEY)
    cache.delete(pagecache.GUARD_KEY)  # the second has passed
    assert "2 have prayed" in reader.get(post.get_absolute_url()).content.decode()


def test_comment_moderation_and_deletion_retire_cached_pages(
    client, member, db, django_capture_on_commit_callbacks
):
    from comments.models import Comment
    from comments.services import delete_comment, remove_comments

    post = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=member, target=post, body="First words here")
    assert "First words here" in Client().get(post.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        remove_comments(Comment.objects.all())
    assert "First words here" not in Client().get(post.get_absolute_url()).content.decode()
    other = make_member()
    with django_capture_on_commit_callbacks(execute=True):
        comment = post_comment(author=other, target=post, body="Second words here")
    assert "Second words here" in Client().get(post.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        delete_comment(comment=comment, user=other)
    assert "Second words here" not in Client().get(post.get_absolute_url()).content.decode()
