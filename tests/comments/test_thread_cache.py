"""The thread rendered once and shared, with each reader's actions filled in,
is exactly the thread rendered for that reader alone."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.html import load_conversation
from comments.models import Comment, CommentReport
from comments.services import post_comment
from comments.targets import content_type_for
from intercessors import pagecache
from intercessors.caches import page_store
from states.models import State
from tests.factories import make_article, make_comment, make_member


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def unmasked(html):
    """Each CSRF token is masked afresh, so two renders differ only there."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "TOKEN", html)


def both_ways(target, request):
    """(fresh, shared) renders of the thread for one request."""
    with override_settings(PAGE_CACHE=False):
        fresh = load_conversation(target=target, request=request)
    with override_settings(PAGE_CACHE=True):
        load_conversation(target=target, request=request)  # fills the cache
        shared = load_conversation(target=target, request=request)
    return fresh, shared


@pytest.fixture
def busy(db):
    """A conversation with every kind of comment: old and new, replies, a removed
    one with a reply, one awaiting moderation, and a report."""
    post = make_article()
    ann, ben, cal, staff = (make_member() for _ in range(4))
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
    CommentReport.objects.create(comment=old, reporter=ben)
    return post, {"anonymous": AnonymousUser(), "author": ann, "reporter": ben,
                  "pending author": cal, "staff": staff}


@pytest.mark.parametrize("who", ["anonymous", "author", "reporter", "pending author", "staff"])
def test_shared_thread_matches_a_fresh_one_for_every_reader(busy, who):
    post, people = busy
    fresh, shared = both_ways(post, request_as(people[who]))
    assert unmasked(shared.html) == unmasked(fresh.html)
    assert (shared.count, shared.label) == (fresh.count, fresh.label)
    assert "<!--actions" not in shared.html


def test_each_reader_gets_their_own_actions(busy):
    post, people = busy
    _, author = both_ways(post, request_as(people["author"]))
    _, reporter = both_ways(post, request_as(people["reporter"]))
    _, pending = both_ways(post, request_as(people["pending author"]))
    _, anonymous = both_ways(post, request_as(people["anonymous"]))
    assert author.html.count(">Edit<") == 2  # not the one past 15 minutes
    assert author.html.count(">Delete<") == 3
    assert reporter.html.count(">Reported<") == 1 and ">Reported<" not in author.html
    assert "Waiting." in pending.html and "Waiting." not in author.html
    assert "csrfmiddlewaretoken" not in anonymous.html and ">Reply<" in anonymous.html


def test_a_shared_thread_is_read_without_loading_the_comments(busy):
    post, people = busy
    request = request_as(people["reporter"])
    with override_settings(PAGE_CACHE=True):
        load_conversation(target=post, request=request)
        with CaptureQueriesContext(connection) as queries:
            load_conversation(target=post, request=request)
    assert not any("body_html" in q["sql"] for q in queries.captured_queries)


@override_settings(PAGE_CACHE=True)
def test_a_new_comment_shows_at_once(busy, django_capture_on_commit_callbacks):
    post, people = busy
    reporter = people["reporter"]
    assert "Just now." not in load_conversation(target=post, request=request_as(reporter)).html
    post_comment(author=make_member(), target=post, body="Just now.")
    assert "Just now." in load_conversation(target=post, request=request_as(reporter)).html


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
def test_member_post_page_queries_with_the_thread_shared(client, db, comments,
                                                         running_site, django_assert_num_queries):
    post = make_article()
    for i in range(comments):
        make_comment(target=post, author=make_member(), body=f"Prayer {i}.")
    client.force_login(make_member())
    assert client.get(post.get_absolute_url()).status_code == 200  # fills the cache
    # post, topics, states, session, member, the member's mark, site version,
    # the member's reports (the shared thread from memory)
    with django_assert_num_queries(8):
        html = client.get(post.get_absolute_url()).content.decode()
    assert f"Prayer {comments - 1}." in html


@override_settings(PAGE_CACHE=True)
def test_a_retired_render_is_overwritten_not_kept(busy):
    post, people = busy
    key = f"thread:{content_type_for(post).pk}:{post.pk}"
    load_conversation(target=post, request=request_as(people["anonymous"]))
    first = page_store().get(key)["version"]
    pagecache.retire()
    load_conversation(target=post, request=request_as(people["anonymous"]))
    assert page_store().get(key)["version"] == pagecache.version() != first
