"""Reports bring a comment to staff; they cannot silence whoever a few accounts choose."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Comment
from comments.services import HOLD_AT_REPORTS, REPORTS_PER_HOUR, CommentRefused, report_comment
from tests.factories import make_article, make_comment, make_member, make_seasoned_member


@pytest.fixture
def post(db):
    return make_article()


def test_seasoned_members_reports_hold_a_comment(post, member):
    comment = make_comment(target=post, author=member)
    for _ in range(HOLD_AT_REPORTS):
        report_comment(comment=comment, user=make_seasoned_member())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_new_or_unverified_accounts_reports_reach_staff_but_hold_nothing(post, member):
    """Before: three accounts made a minute ago (one mailbox, plus-addressed) hid any comment."""
    comment = make_comment(target=post, author=member, body="Still here")
    reporters = [make_member(email=f"mallory+{n}@example.org") for n in range(3)]
    reporters += [make_seasoned_member(verified=False) for _ in range(3)]
    for reporter in reporters:
        assert report_comment(comment=comment, user=reporter) is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.reports.count() == 6  # staff still see every report
    assert "Still here" in Client().get(post.get_absolute_url()).content.decode()


def test_staff_comments_are_never_hidden_by_reports(post):
    editor = make_member(is_staff=True)
    comment = make_comment(target=post, author=editor, body="From our team")
    for _ in range(HOLD_AT_REPORTS + 2):
        report_comment(comment=comment, user=make_seasoned_member())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_republishing_from_the_admin_change_form_starts_the_count_again(client, post, member):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    comment = make_comment(target=post, author=member, body="Reviewed words")
    for _ in range(HOLD_AT_REPORTS):
        report_comment(comment=comment, user=make_seasoned_member())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    client.force_login(editor)
    response = client.post(
        f"/admin/comments/comment/{comment.pk}/change/", {"status": "published"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.report_count == 0
    # Before: one more report hid it again at once.
    report_comment(comment=comment, user=make_seasoned_member())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_a_member_files_at_most_ten_reports_an_hour(post, member):
    reporter = make_seasoned_member()
    comments = [make_comment(target=post, author=member) for _ in range(REPORTS_PER_HOUR + 1)]
    for comment in comments[:REPORTS_PER_HOUR]:
        assert report_comment(comment=comment, user=reporter) is True
    with pytest.raises(CommentRefused, match="reports in the last hour"):
        report_comment(comment=comments[-1], user=reporter)
    assert not comments[-1].reports.exists()


def test_the_eleventh_report_gets_a_clear_message(client, post, member):
    reporter = make_seasoned_member()
    client.force_login(reporter)
    comments = [make_comment(target=post, author=member) for _ in range(REPORTS_PER_HOUR + 1)]
    for comment in comments[:REPORTS_PER_HOUR]:
        client.post(f"/comments/{comment.pk}/report/")
    response = client.post(f"/comments/{comments[-1].pk}/report/", follow=True)
    assert "reports in the last hour" in response.content.decode()
