"""Every reader shares a page's kept render, with their own parts filled in; a
write retires only the renders of what it changed."""
import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory

from comments.services import post_comment
from prayers.services import mark_prayed
from tests.factories import make_article, make_member


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


def test_second_anonymous_view_makes_no_query(client, db, running_site, django_assert_num_queries):
    post = make_article(title="Cached post")
    client.get(post.get_absolute_url())
    # the versions and the live count; the page, filled for readers who are not
    # logged in, comes from memory
    with django_assert_num_queries(2):
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
        mark_prayed(user=other, prayer=post.prayer)  # within the same second
    assert "2 have prayed" in anonymous.get(post.get_absolute_url()).content.decode()
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


def test_a_message_is_shown_on_the_kept_page_and_unknown_parameters_are_dropped(client, db):
    post = make_article(title="Original title")
    Client().get(post.get_absolute_url())
    type(post).objects.filter(pk=post.pk).update(title="Changed title")  # nothing retired
    assert "Original title" in Client().get(post.get_absolute_url()).content.decode()
    reader = Client()
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    response = HttpResponse()
    storage.add(messages.INFO, "A note for this reader alone.")
    storage.update(response)
    reader.cookies["messages"] = response.cookies["messages"].value
    html = reader.get(post.get_absolute_url()).content.decode()
    assert "Original title" in html and "A note for this reader alone." in html
    assert "A note for this reader alone." not in Client().get(
        post.get_absolute_url()).content.decode()
    # The post page reads no parameter: ?x=1 is sent to the page without it, kept.
    response = Client().get(post.get_absolute_url() + "?x=1")
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    assert "Original title" in Client().get(response["Location"]).content.decode()


def test_a_prayer_retires_no_page_and_every_count_is_live(
    db, running_site, django_capture_on_commit_callbacks
):
    from library.pages import pagecache

    post, other = make_article(), make_article()
    reader = Client()
    reader.get(post.get_absolute_url())
    reader.get("/articles/")
    before = pagecache.versions((pagecache.SITE, pagecache.LISTS, post.page_scope))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            mark_prayed(user=make_member(), prayer=post.prayer)
        mark_prayed(user=make_member(), prayer=other.prayer)
    assert pagecache.versions((pagecache.SITE, pagecache.LISTS, post.page_scope)) == before
    assert "3 have prayed" in reader.get(post.get_absolute_url()).content.decode()
    listed = reader.get("/articles/").content.decode()
    assert "3 have prayed" in listed and "1 person has prayed" in listed


def test_a_comment_retires_its_post_and_the_lists_but_no_other_post(
    member, db, django_capture_on_commit_callbacks
):
    from library.pages import pagecache

    post, other = make_article(), make_article()
    scopes = (pagecache.SITE, pagecache.LISTS, post.page_scope, other.page_scope)
    site, lists, this, that = pagecache.versions(scopes)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=member, target=post, body="Words for one post")
    after = pagecache.versions(scopes)
    assert after[0] == site and after[3] == that
    assert after[1] != lists and after[2] != this

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


def test_a_path_with_dot_segments_is_never_another_pages_render(db):
    """Django 5.2.20 fixed caches that took "/a/./" for "/a/": ours key a render by
    the path as asked, and no page answers a path with dot segments."""
    post = make_article()
    client = Client()
    kept = ["/", "/articles/", "/states/", "/states/texas/", post.get_absolute_url()]
    for path in kept:
        assert client.get(path).status_code == 200
    for path in kept:
        for dotted in (path + "./", path + "x/../", path + "%2e/", path.replace("/", "/./", 1)):
            assert client.get(dotted).status_code == 404, dotted
