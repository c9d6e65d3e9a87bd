"""Reports bring a comment to staff; they cannot silence whoever a few accounts choose."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Comment
from comments.services import (
    HOLD_AT_REPORTS,
    REPORTS_PER_HOUR,
    CommentRefused,
    approve_comments,
    report_comment,
)
from tests.factories import make_article, make_comment, make_member, make_seasoned_member


@pytest.fixture
def post(db):
    return make_article()


def test_seasoned_members_reports_hold_a_comment(post, member):
    comment = make_comment(target=post, author=member)
    for _ in range(HOLD_AT_REPORTS):
        report_comment(comment=comment, user=make_seasoned_member(), reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_new_or_unverified_accounts_reports_reach_staff_but_hold_nothing(post, member):
    """Before: three accounts made a minute ago (one mailbox, plus-addressed) hid any comment."""
    comment = make_comment(target=post, author=member, body="Still here")
    reporters = [make_member(email=f"mallory+{n}@example.org") for n in range(3)]
    reporters += [make_seasoned_member(verified=False) for _ in range(3)]
    for reporter in reporters:
        assert report_comment(comment=comment, user=reporter, reason="spam") is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.reports.count() == 6  # staff still see every report
    assert "Still here" in Client().get(post.get_absolute_url()).content.decode()


def test_staff_comments_are_never_hidden_by_reports(post):
    editor = make_member(is_staff=True)
    comment = make_comment(target=post, author=editor, body="From our team")
    for _ in range(HOLD_AT_REPORTS + 2):
        report_comment(comment=comment, user=make_seasoned_member(), reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_republishing_from_the_admin_change_form_starts_the_count_again(client, post, member):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    comment = make_comment(target=post, author=member, body="Reviewed words")
    for _ in range(HOLD_AT_REPORTS):
        report_comment(comment=comment, user=make_seasoned_member(), reason="spam")
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
    report_comment(comment=comment, user=make_seasoned_member(), reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_a_member_files_at_most_ten_reports_an_hour(post, member):
    reporter = make_seasoned_member()
    comments = [make_comment(target=post, author=member) for _ in range(REPORTS_PER_HOUR + 1)]
    for comment in comments[:REPORTS_PER_HOUR]:
        assert report_comment(comment=comment, user=reporter, reason="spam") is True
    with pytest.raises(CommentRefused, match="reports in the last hour"):
        report_comment(comment=comments[-1], user=reporter, reason="spam")
    assert not comments[-1].reports.exists()


def test_the_eleventh_report_gets_a_clear_message(client, post, member):
    reporter = make_seasoned_member()
    client.force_login(reporter)
    comments = [make_comment(target=post, author=member) for _ in range(REPORTS_PER_HOUR + 1)]
    for comment in comments[:REPORTS_PER_HOUR]:
        client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    response = client.post(f"/comments/{comments[-1].pk}/report/", {"reason": "spam"},
                           follow=True)
    assert "reports in the last hour" in response.content.decode()


def test_a_report_asks_why_and_waits_for_confirmation(client, post, member):
    comment = make_comment(target=post, author=member, body="Buy cheap watches")
    reporter = make_seasoned_member()
    client.force_login(reporter)
    page = client.get(f"/comments/{comment.pk}/report/")
    html = page.content.decode()
    assert "Why are you reporting it?" in html and "Buy cheap watches" in html
    assert not comment.reports.exists()  # looking at the page reports nothing
    missing = client.post(f"/comments/{comment.pk}/report/", {})
    assert missing.status_code == 400 and "Please choose why" in missing.content.decode()
    client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    assert comment.reports.get().reason == "spam"


def test_staff_decide_a_report_in_one_place_and_it_is_marked_resolved(client, post, member):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    parent = make_comment(target=post, author=make_member(display_name="Ann"), body="Amen.")
    comment = make_comment(target=post, author=member, body="Rude words here", parent=parent)
    first, second = make_seasoned_member(), make_seasoned_member()
    report_comment(comment=comment, user=first, reason="unkind")
    report_comment(comment=comment, user=second, reason="spam")
    client.force_login(editor)
    listing = client.get("/admin/comments/commentreport/").content.decode()
    assert "Rude words here" in listing and "Open" in listing
    one = comment.reports.get(reporter=first)
    page = client.get(f"/admin/comments/commentreport/{one.pk}/change/").content.decode()
    # The comment in its thread, with a way to it, and the three decisions.
    assert "Rude words here" in page and "In reply to Ann" in page
    assert f'href="{comment.get_absolute_url()}"' in page
    for button in ("_keep", "_remove", "_dismiss"):
        assert f'name="{button}"' in page
    response = client.post(f"/admin/comments/commentreport/{one.pk}/change/", {"_dismiss": "1"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.resolution == "dismissed" and one.resolved_by == editor
    two = comment.reports.get(reporter=second)
    assert two.is_open
    client.post(f"/admin/comments/commentreport/{two.pk}/change/", {"_remove": "1"})
    comment.refresh_from_db()
    two.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED and two.resolution == "removed"
    # Handled reports leave the list of open ones, and stay in the resolved ones.
    assert "Rude words here" not in client.get("/admin/comments/commentreport/").content.decode()
    resolved = client.get("/admin/comments/commentreport/?state=resolved").content.decode()
    assert "Rude words here" in resolved


def test_after_staff_keep_a_comment_a_member_may_report_it_again(post, member):
    comment = make_comment(target=post, author=member)
    reporter = make_seasoned_member()
    assert report_comment(comment=comment, user=reporter, reason="false") is True
    assert report_comment(comment=comment, user=reporter, reason="false") is False
    approve_comments(Comment.objects.filter(pk=comment.pk))
    assert report_comment(comment=comment, user=reporter, reason="false") is True


def test_something_else_asks_what_and_keeps_what_was_typed(client, post, member):
    comment = make_comment(target=post, author=member, body="Odd words")
    client.force_login(make_seasoned_member())
    url = f"/comments/{comment.pk}/report/"
    assert 'name="detail"' in client.get(url).content.decode()
    empty = client.post(url, {"reason": "other", "detail": "   "})
    assert empty.status_code == 400
    assert "Please say what is wrong" in empty.content.decode()
    long = client.post(url, {"reason": "other", "detail": "<b>kept</b> " + "x" * 600})
    html = long.content.decode()
    assert long.status_code == 400 and "&lt;b&gt;kept&lt;/b&gt; xxx" in html
    assert 'value="other" required checked' in html
    assert not comment.reports.exists()
    client.post(url, {"reason": "other", "detail": "Names\x00 my <script>alert(1)</script> boss"})
    assert comment.reports.get().detail == "Names my <script>alert(1)</script> boss"


def test_the_service_wants_words_for_something_else(post, member):
    comment = make_comment(target=post, author=member)
    with pytest.raises(CommentRefused, match="Please say what is wrong"):
        report_comment(comment=comment, user=make_seasoned_member(), reason="other")


def test_staff_read_what_a_reporter_said_as_text(client, post, member):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    comment = make_comment(target=post, author=member, body="Odd words")
    report_comment(comment=comment, user=make_seasoned_member(), reason="other",
                   detail='It names <img src=x onerror="alert(1)"> a child')
    client.force_login(editor)
    report = comment.reports.get()
    page = client.get(f"/admin/comments/commentreport/{report.pk}/change/").content.decode()
    assert "It names &lt;img src=x onerror=&quot;alert(1)&quot;&gt; a child" in page
    assert "<img src=x" not in page
