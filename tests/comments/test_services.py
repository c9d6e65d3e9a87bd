from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comments.models import Comment
from comments.services import (
    CommentRefused,
    TooFast,
    approve_comments,
    delete_comment,
    edit_comment,
    post_comment,
    remove_comments,
    report_comment,
)
from tests.factories import make_article, make_comment, make_seasoned_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


@pytest.fixture
def post(db):
    return make_article()


def age(comment, **delta):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(**delta))
    comment.refresh_from_db()
    return comment


def test_empty_and_whitespace_comments_are_refused(post, member):
    for body in ["", "   \n\t  ", "\x00"]:
        with pytest.raises(ValidationError, match="Please write something"):
            post_comment(author=member, target=post, body=body)
    with pytest.raises(ValidationError, match="5,000 characters"):
        post_comment(author=member, target=post, body="a" * 5001)
    assert post_comment(author=member, target=post, body="a" * 5000).pk


def test_flood_control_fifteen_seconds_and_thirty_an_hour(post, member):
    first = post_comment(author=member, target=post, body="First")
    with pytest.raises(TooFast, match="15 seconds"):
        post_comment(author=member, target=post, body="Second")
    age(first, seconds=16)
    post_comment(author=member, target=post, body="Second")
    Comment.objects.filter(author=member).update(created_at=timezone.now() - timedelta(minutes=5))
    for _ in range(28):
        make_comment(target=post, author=member, created_at=timezone.now() - timedelta(minutes=9))
    with pytest.raises(TooFast, match="30 comments in the last hour"):
        post_comment(author=member, target=post, body="Thirty-first")


def test_one_outside_link_holds_a_comment_for_moderation(post, member, settings):
    # The rule the form states: a comment with a link to another site waits for staff.
    settings.SITE_URL = "https://intercessors.example"
    one = post_comment(author=member, target=post, body="See https://example.org")
    assert one.status == Comment.Status.PENDING
    age(one, minutes=1)
    hidden = post_comment(author=member, target=post, body="[our page](//example.net/x)")
    assert hidden.status == Comment.Status.PENDING
    age(hidden, minutes=1)
    ours = post_comment(author=member, target=post,
                        body="See [Texas](/states/texas/) and https://intercessors.example/about/")
    assert ours.status == Comment.Status.PUBLISHED
    age(ours, minutes=1)
    lookalike = post_comment(author=member, target=post,
                             body="https://intercessors.example.evil.org/ and [x](/\\evil.org)")
    assert lookalike.status == Comment.Status.PENDING


def test_depth_is_capped_at_five(post, member, other_member):
    parent = None
    for level in range(1, 8):
        parent = make_comment(target=post, author=other_member, parent=parent)
        assert parent.depth == min(level, 5)
    reply = post_comment(author=member, target=post, body="Deep reply", parent=parent)
    assert reply.depth == 5 and reply.parent == parent


def test_reply_must_belong_to_the_same_conversation(post, member, other_member):
    elsewhere = make_comment(target=make_article(), author=other_member)
    with pytest.raises(CommentRefused):
        post_comment(author=member, target=post, body="Hi", parent=elsewhere)


def test_edit_within_fifteen_minutes_only(post, member):
    comment = post_comment(author=member, target=post, body="Frist")
    edit_comment(comment=comment, user=member, body="First")
    comment.refresh_from_db()
    assert comment.body_html == "<p>First</p>" and comment.edited_at is not None
    age(comment, minutes=16)
    with pytest.raises(CommentRefused, match="15 minutes"):
        edit_comment(comment=comment, user=member, body="Too late")


def test_only_the_author_edits_or_deletes(post, member, other_member):
    comment = make_comment(target=post, author=member)
    with pytest.raises(PermissionDenied):
        edit_comment(comment=comment, user=other_member, body="Mine now")
    with pytest.raises(PermissionDenied):
        delete_comment(comment=comment, user=other_member)
    assert Comment.objects.filter(pk=comment.pk, body="Praying with you.").exists()


def test_delete_without_replies_disappears(post, member):
    comment = make_comment(target=post, author=member)
    delete_comment(comment=comment, user=member)
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_delete_with_replies_leaves_a_marker_until_the_last_reply_goes(
    post, member, other_member
):
    parent = make_comment(target=post, author=member, body="Secret words")
    reply = make_comment(target=post, author=other_member, parent=parent)
    delete_comment(comment=parent, user=member)
    parent.refresh_from_db()
    assert parent.is_deleted and parent.body == "" and parent.body_html == ""
    delete_comment(comment=reply, user=other_member)
    assert not Comment.objects.filter(pk__in=[parent.pk, reply.pk]).exists()


def test_three_distinct_reports_hold_a_comment(post, member):
    comment = make_comment(target=post, author=member)
    reporters = [make_seasoned_member() for _ in range(3)]
    assert report_comment(comment=comment, user=reporters[0], reason="spam") is True
    assert report_comment(comment=comment, user=reporters[0], reason="spam") is False  # once each
    assert report_comment(comment=comment, user=reporters[1], reason="spam") is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.report_count == 2
    report_comment(comment=comment, user=reporters[2], reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING and comment.report_count == 3
    with pytest.raises(CommentRefused):
        report_comment(comment=comment, user=member, reason="spam")


def test_moderation_approves_and_removes(post, member):
    held = make_comment(target=post, author=member, status=Comment.Status.PENDING, report_count=3)
    assert approve_comments(Comment.objects.filter(pk=held.pk)) == 1
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED and held.report_count == 0
    assert remove_comments(Comment.objects.filter(pk=held.pk)) == 1
    held.refresh_from_db()
    assert held.status == Comment.Status.REMOVED


def test_reply_mails_the_parent_author_with_a_link(post, member, other_member, settings,
                                                   django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://pray.example.org"
    parent = make_comment(target=post, author=member)
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(author=other_member, target=post, body="Amen!", parent=parent)
    assert len(delivered()) == 1
    message = delivered()[0]
    assert message.to == [member.email]
    assert "Eli K. replied to your comment" in message.subject
    assert f"https://pray.example.org{post.get_absolute_url()}#comment-{reply.pk}" in message.body
    assert other_member.email not in message.body


def test_no_reply_mail_when_turned_off_or_replying_to_yourself(
    post, member, other_member, django_capture_on_commit_callbacks
):
    parent = age(make_comment(target=post, author=member), minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=member, target=post, body="Replying to myself", parent=parent)
    member.notify_replies = False
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(author=other_member, target=post, body="Amen", parent=parent)
    assert delivered() == []


def test_failing_mail_keeps_the_reply(post, member, other_member, settings,
                                      django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.comments.broken_mail.Backend"
    parent = make_comment(target=post, author=member)
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_comment(author=other_member, target=post, body="Amen", parent=parent)
    assert Comment.objects.filter(pk=reply.pk).exists()
