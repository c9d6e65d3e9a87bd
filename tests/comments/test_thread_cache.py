"""Every page kept once and shared, with each reader's parts filled in (their
header, "You prayed" and the live counts, forms with their tokens, a comment's
actions, their messages), is exactly the page rendered for that reader alone."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.conversations import load_conversation
from comments.models import Comment, CommentReport
from comments.services import post_comment
from comments.targets import content_type_for
from library.caches import page_store
from library.pages import pagecache
from library.pages.pagecache import Render
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_article, make_comment, make_member, make_request


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def unmasked(html):
    """Each CSRF token is masked afresh, so two renders differ only there."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "TOKEN", html)


def client_for(user):
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def both_ways(path, reader, first):
    """(fresh, shared) pages at `path` for `reader`: rendered for them alone, and
    made from the render another reader (`first`) had kept."""
    with override_settings(PAGE_CACHE=False):
        fresh = client_for(reader).get(path)
    page_store().clear()
    with override_settings(PAGE_CACHE=True):
        client_for(first).get(path)
        shared = client_for(reader).get(path)
        again = client_for(reader).get(path)  # from the kept render, or the guests' page
    assert fresh.status_code == shared.status_code == again.status_code == 200
    return fresh.content.decode(), shared.content.decode(), again.content.decode()


@pytest.fixture
def busy(db):
    """A conversation with every kind of comment: old and new, replies, a removed
    one with a reply, one awaiting moderation, and a report; prayers marked."""
    texas = State.objects.get(code="TX")
    post = make_article(states=[texas])
    ann, ben, cal, staff = (make_member(home_state=texas if n == 1 else None)
                            for n in range(4))
    staff.is_staff = True
    staff.save()
    old = make_comment(target=post, author=ann, body="An old prayer.")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    fresh_one = make_comment(target=post, author=ann, body="A new prayer.")
    reply = make_comment(target=post, author=ben, body="Amen, **with you**.", parent=fresh_one)
    removed = make_comment(target=post, author=ben, body="gone", status=Comment.Status.REMOVED)
    make_comment(target=post, author=ann, body="Under a removed one.", parent=removed)
    make_comment(target=post, author=cal, body="Waiting.", status=Comment.Status.PENDING)
    make_comment(target=post, author=None, body="From a deleted member.", parent=reply)
    make_comment(target=texas, author=ben, body="For Texas.")
    CommentReport.objects.create(comment=old, reporter=ben)
    request = make_request(author=ann, state=texas, text="Please pray for the harvest.")
    mark_prayed(user=ben, prayer=post.prayer)
    mark_prayed(user=ann, prayer=request)
    return post, request, {"anonymous": AnonymousUser(), "author": ann, "reporter": ben,
                           "pending author": cal, "staff": staff}


READERS = ["anonymous", "author", "reporter", "pending author", "staff"]


@pytest.mark.parametrize("who", READERS)
def test_a_shared_post_page_matches_a_fresh_one_for_every_reader(busy, who):
    post, _, people = busy
    for first in ("anonymous", "reporter"):
        fresh, shared, again = both_ways(post.get_absolute_url(), people[who], people[first])
        assert unmasked(shared) == unmasked(fresh) == unmasked(again)
        assert "<!--part:" not in shared and "<!--shown-to:" not in shared


PAGES = ["/", "/articles/", "/states/", "/states/texas/", "/search/?q=harvest",
         "/prayers/requests/", "/prayers/requests/?state=texas&sort=least", "request"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "author", "reporter"])
def test_every_shared_page_matches_a_fresh_one(busy, who, path):
    _, request, people = busy
    path = request.get_absolute_url() if path == "request" else path
    fresh, shared, again = both_ways(path, people[who], people["pending author"])
    assert unmasked(shared) == unmasked(fresh) == unmasked(again)
    assert "<!--part:" not in shared and "<!--shown-to:" not in shared


def test_each_reader_gets_their_own_parts(busy):
    post, _, people = busy
    path = post.get_absolute_url()
    pages = {who: both_ways(path, people[who], people["anonymous"])[1] for who in READERS}
    author, reporter, anonymous = pages["author"], pages["reporter"], pages["anonymous"]
    assert author.count(">Edit<") == 2  # not the one past 15 minutes
    assert author.count(">Delete<") == 3
    assert reporter.count(">Reported<") == 1 and ">Reported<" not in author
    assert "Waiting." in pages["pending author"] and "Waiting." not in author
    assert "csrfmiddlewaretoken" not in anonymous and ">Reply<" in anonymous
    assert ">Report<" not in anonymous and "Log in to Join the Conversation" in anonymous
    assert "You prayed" in reporter and "You prayed" not in author
    assert people["reporter"].public_name in reporter
    assert people["reporter"].public_name not in author.split('id="main"')[0]
    assert "/states/texas/" in reporter.split("Visit your state page")[0][-200:]


def test_a_kept_render_holds_nothing_of_any_reader(busy, settings):
    settings.PAGE_CACHE = True
    post, _, people = busy
    client_for(people["reporter"]).get(post.get_absolute_url())
    kept = [value for key in page_store().keys()
            if isinstance(value := page_store().get(key), Render)]
    assert kept
    for render in kept:
        html = render.content.decode()
        assert "csrfmiddlewaretoken\" value=\"<!--part:csrf-->" in html
        assert not re.search(r'csrfmiddlewaretoken" value="\w', html)
        assert 'class="account-name"><!--part:name--></a>' in html  # not the member's name
        assert "You prayed" not in html and ">Reported<" not in html


def test_a_member_cannot_write_a_part(busy, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE = True
    post, _, people = busy
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=make_member(), target=post,
                     body="<!--part:csrf--> and <!--shown-to:guest-->x<!--/shown-to:guest-->")
    for reader in ("reporter", "anonymous"):
        html = client_for(people[reader]).get(post.get_absolute_url()).content.decode()
        assert ("<p>&lt;!--part:csrf--&gt; and &lt;!--shown-to:guest--&gt;x"
                "&lt;!--/shown-to:guest--&gt;</p>") in html


def test_a_shared_thread_is_read_without_loading_the_comments(busy):
    post, _, people = busy
    with override_settings(PAGE_CACHE=True):
        load_conversation(target=post, request=request_as(people["anonymous"]))
        with CaptureQueriesContext(connection) as queries:
            load_conversation(target=post, request=request_as(people["anonymous"]))
    assert not any("body_html" in q["sql"] for q in queries.captured_queries)


@override_settings(PAGE_CACHE=True)
def test_a_new_comment_shows_at_once(busy, django_capture_on_commit_callbacks):
    post, _, people = busy
    guest = people["anonymous"]
    assert "Just now." not in load_conversation(target=post, request=request_as(guest)).html
    post_comment(author=make_member(), target=post, body="Just now.")
    assert "Just now." in load_conversation(target=post, request=request_as(guest)).html


@override_settings(PAGE_CACHE=True)
def test_state_conversations_are_cached_apart_from_posts(db):
    texas = State.objects.get(slug="texas")
    post = make_article()
    make_comment(target=texas, author=make_member(), body="For Texas.")
    make_comment(target=post, author=make_member(), body="For the post.")
    request = request_as(AnonymousUser())
    assert "For Texas." in load_conversation(target=texas, request=request).html
    assert "For the post." in load_conversation(target=post, request=request).html
    assert "For Texas." not in load_conversation(target=post, request=request).html


@pytest.mark.parametrize("comments", [1, 60])
@override_settings(PAGE_CACHE=True)
def test_member_post_page_queries_with_the_page_shared(client, db, comments,
                                                       running_site, django_assert_num_queries):
    post = make_article()
    for i in range(comments):
        make_comment(target=post, author=make_member(), body=f"Prayer {i}.")
    client.force_login(make_member())
    assert client.get(post.get_absolute_url()).status_code == 200  # keeps the render
    # session, member, the versions, the live count with the member's mark, the
    # member's own and reported comments in the thread's range (the page from memory)
    with django_assert_num_queries(5):
        html = client.get(post.get_absolute_url()).content.decode()
    assert f"Prayer {comments - 1}." in html


@override_settings(PAGE_CACHE=True)
def test_a_retired_render_is_overwritten_not_kept(busy):
    post, _, people = busy
    key = f"thread{pagecache.SHAPE}:{content_type_for(post).pk}:{post.pk}"
    load_conversation(target=post, request=request_as(people["anonymous"]))
    first = page_store().get(key)["versions"]
    pagecache.retire(post.page_scope)
    load_conversation(target=post, request=request_as(people["anonymous"]))
    assert page_store().get(key)["versions"] == pagecache.versions(
        (pagecache.SITE, post.page_scope)) != first


@override_settings(PAGE_CACHE=False)
def test_with_the_page_cache_off_no_thread_is_kept(busy):
    from django.core.cache import caches

    post, _, people = busy
    caches["pages"].clear()
    for reader in ("anonymous", "author"):
        thread = load_conversation(target=post, request=request_as(people[reader]))
        assert thread.count
    assert not caches["pages"].get(f"thread{pagecache.SHAPE}:{content_type_for(post).pk}:"
                                   f"{post.pk}")
