from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_article, make_comment, make_member, make_seasoned_member
from tests.html_checks import executable_constructs

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


@pytest.fixture
def post(db):
    return make_article(question="How are you praying for the valley?")


def post_form(target, body, parent=None):
    data = {"target": "articles.article", "object_id": target.pk, "body": body}
    if parent:
        data["parent"] = parent.pk
    return data


def test_anonymous_reader_sees_comments_and_an_invitation(client, post, member):
    make_comment(target=post, author=member, body="Praying **hard**.",
                 created_at=timezone.make_aware(timezone.datetime(2022, 6, 6, 12)))
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Comments (1)" in html and "data-print" in html
    assert "Hannah P." in html and "June 6, 2022" in html and "<strong>hard</strong>" in html
    assert "Log in to Join the Conversation" in html
    back = f"/articles/{post.slug}/%23comment-form"
    assert f'href="/accounts/login/?next={back}"' in html
    assert f'href="/accounts/signup/?next={back}"' in html
    assert "<textarea" not in html
    assert member.email not in html


def test_member_sees_the_form_with_privacy_note_and_markdown_hint(client, post, member):
    client.force_login(member)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Leave a Reply" in html
    assert "Your email address will not be published." in html
    assert "You can use Markdown" in html and "<textarea" in html


def test_member_posts_a_comment_and_lands_on_it(client, post, member):
    client.force_login(member)
    response = client.post("/comments/post/", post_form(post, "Praying for the valley."))
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in html and f'href="#comment-{comment.pk}"' in html


def test_empty_comment_is_refused_and_typed_text_kept(client, post, member):
    client.force_login(member)
    response = client.post("/comments/post/", post_form(post, "   "))
    assert response.status_code == 400
    assert "Please write something before posting." in response.content.decode()
    long_text = "pray " * 1100
    response = client.post("/comments/post/", post_form(post, long_text))
    assert response.status_code == 400
    html = response.content.decode()
    assert "5,000 characters" in html and long_text.strip()[:200] in html
    assert not Comment.objects.exists()


def test_flood_gets_429_with_text_kept(client, post, member):
    client.force_login(member)
    client.post("/comments/post/", post_form(post, "First words."))
    response = client.post("/comments/post/", post_form(post, "Second words, kept."))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait 15 seconds" in html and "Second words, kept." in html
    assert Comment.objects.count() == 1


def test_anonymous_cannot_post(client, post):
    response = client.post("/comments/post/", post_form(post, "Hello"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_unknown_or_hidden_targets_are_404(client, member, db):
    client.force_login(member)
    draft = make_article(status="draft")
    assert client.post("/comments/post/", post_form(draft, "Hi")).status_code == 404
    for target, object_id in [("auth.user", member.pk), ("articles.article", "abc"),
                              ("articles.article", 10**30), ("", "")]:
        data = {"target": target, "object_id": object_id, "body": "Hi"}
        assert client.post("/comments/post/", data).status_code == 404
    assert client.post("/comments/post/", {**post_form(make_article(), "Hi"),
                                           "parent": "x"}).status_code == 404


def test_reply_page_without_javascript(client, post, member, other_member):
    parent = make_comment(target=post, author=other_member, body="Lift up the farmers.")
    client.force_login(member)
    html = client.get(f"/comments/{parent.pk}/reply/").content.decode()
    assert "Reply to Eli K." in html and "Lift up the farmers." in html
    assert f'name="parent" value="{parent.pk}"' in html
    response = client.post("/comments/post/", post_form(post, "Amen.", parent=parent))
    reply = Comment.objects.get(parent=parent)
    assert response["Location"].endswith(f"#comment-{reply.pk}")


def test_replies_nest_and_stop_at_level_five(client, post, member):
    parent = None
    for _ in range(6):
        parent = make_comment(target=post, author=member, parent=parent)
    html = client.get(post.get_absolute_url()).content.decode()
    assert html.count('class="comment-list replies"') == 4  # levels 2-5; the 6th sits at 5
    assert html.count("comment depth-5") == 2


def test_edit_own_comment_within_window_then_marked_edited(client, post, member):
    comment = make_comment(target=post, author=member, body="Frist")
    client.force_login(member)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "First"})
    assert response.status_code == 302
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<p>First</p>" in html and 'class="comment-edited">edited' in html
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Late"}, follow=True)
    assert "can be edited for 15 minutes" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "First"


def test_delete_own_comment_with_and_without_replies(client, post, member, other_member):
    lonely = make_comment(target=post, author=member, body="Alone")
    answered = make_comment(target=post, author=member, body="Answered words")
    make_comment(target=post, author=other_member, parent=answered, body="A reply")
    client.force_login(member)
    assert client.get(f"/comments/{lonely.pk}/delete/").status_code == 200
    client.post(f"/comments/{lonely.pk}/delete/")
    client.post(f"/comments/{answered.pk}/delete/")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Alone" not in html and "Answered words" not in html
    assert "This comment was removed." in html and "A reply" in html
    assert "Comments (1)" in html


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_someone_elses_comment_is_403_whatever_the_id(client, post, member, other_member,
                                                      action):
    comment = make_comment(target=post, author=other_member)
    client.force_login(member)
    assert client.get(f"/comments/{comment.pk}/{action}/").status_code == 403
    assert client.post(f"/comments/{comment.pk}/{action}/", {"body": "Mine"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Praying with you."
    assert client.post(f"/comments/999999/{action}/").status_code == 404


def test_comment_actions_need_post_and_csrf(post, member, other_member):
    comment = make_comment(target=post, author=member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 403
    assert client.post("/comments/post/", post_form(post, "Hi")).status_code == 403
    client.force_login(other_member)
    page = client.get(f"/comments/{comment.pk}/report/")  # asks why, changes nothing
    assert page.status_code == 200 and not comment.reports.exists()
    response = client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    assert response.status_code == 403 and not comment.reports.exists()  # no CSRF token
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_report_once_each_then_held(client, post, member):
    comment = make_comment(target=post, author=member, body="Reported words")
    for i in range(3):
        reporter = make_seasoned_member()
        client.force_login(reporter)
        response = client.post(f"/comments/{comment.pk}/report/", {"reason": "unkind"},
                               follow=True)
        assert "Thank you. Our team will look at this comment." in response.content.decode()
        if i == 0:
            response = client.post(f"/comments/{comment.pk}/report/", {"reason": "unkind"},
                                   follow=True)
            assert "already reported" in response.content.decode()
    assert "Reported words" not in Client().get(post.get_absolute_url()).content.decode()
    client.force_login(member)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Reported words" in html and "awaiting moderation" in html


def test_editing_links_into_a_comment_says_it_is_held(client, post, member):
    comment = make_comment(target=post, author=member, body="Praying.")
    client.force_login(member)
    response = client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "Praying. https://example.org and https://example.net"}, follow=True,
    )
    html = response.content.decode()
    assert "Your comment has been updated. Comments with links to other sites are checked" in html
    assert "example.net" not in Client().get(post.get_absolute_url()).content.decode()


def test_comment_with_two_links_is_only_shown_to_its_author(client, post, member):
    client.force_login(member)
    response = client.post(
        "/comments/post/",
        post_form(post, "Read https://example.org and https://example.net"),
        follow=True,
    )
    html = response.content.decode()
    assert "awaiting moderation" in html and "example.net" in html
    assert "Comments (0)" in html
    assert "example.net" not in Client().get(post.get_absolute_url()).content.decode()


def test_the_form_says_links_are_checked_and_one_link_is(client, post, member):
    client.force_login(member)
    form = client.get(post.get_absolute_url()).content.decode()
    assert "Comments with links to other sites are checked by our team first" in form
    response = client.post("/comments/post/", post_form(post, "Read https://example.org"),
                           follow=True)
    assert "Comments with links to other sites are checked by our team first" in (
        response.content.decode())
    assert "example.org" not in Client().get(post.get_absolute_url()).content.decode()


def test_removed_comments_never_reach_public_pages(client, post, member):
    make_comment(target=post, author=member, body="Removed words", status="removed")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Removed words" not in html and "Comments (0)" in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](java\u200bscript:alert(1))",
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "<iframe src=//example.org></iframe>",
        "![x](javascript:alert(1))",
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_comment_bodies_are_sanitised(client, post, member, body):
    client.force_login(member)
    client.post("/comments/post/", post_form(post, body))
    comment = Comment.objects.get()
    assert executable_constructs(comment.body_html) == []
    page = client.get(post.get_absolute_url()).content.decode()
    assert executable_constructs(page) == []


def test_links_in_comments_carry_rel(client, post, member):
    client.force_login(member)
    client.post("/comments/post/", post_form(post, "[source](https://example.org)"))
    assert 'rel="nofollow ugc noopener"' in Comment.objects.get().body_html


@pytest.mark.parametrize("count", [1, 200])
def test_post_page_query_count_is_the_same_for_1_or_200_comments(
    client, post, member, other_member, running_site, django_assert_num_queries, count
):
    parent = None
    for i in range(count):
        author = member if i % 2 else other_member
        parent = make_comment(target=post, author=author, parent=parent if i % 3 else None)
    # the versions, post, topics, states, Up next (none newer, so the newest other:
    # none), comments, live count
    with django_assert_num_queries(8):
        assert client.get(post.get_absolute_url()).status_code == 200
    client.force_login(member)
    # the kept render: session, member, versions, live count with the member's mark,
    # whether they wrote in the thread or reported in it, and, where they did (with
    # 200 comments), the thread rendered for them
    with django_assert_num_queries(6 if count > 1 else 5):
        assert client.get(post.get_absolute_url()).status_code == 200
    with django_assert_num_queries(5):  # their thread, kept
        assert client.get(post.get_absolute_url()).status_code == 200


def test_a_hidden_comment_is_never_shown_as_a_parent(client, member, other_member):
    draft = make_article(status="draft")
    secret = make_comment(target=draft, author=other_member, body="Secret words",
                          status="removed")
    visible_post = make_article()
    client.force_login(member)
    for body in ["", "hello"]:
        response = client.post("/comments/post/", {**post_form(visible_post, body),
                                                   "parent": secret.pk})
        assert response.status_code == 404
        assert "Secret words" not in response.content.decode()
    other_post_comment = make_comment(target=make_article(), author=other_member,
                                      body="Elsewhere words")
    response = client.post("/comments/post/", {**post_form(visible_post, ""),
                                               "parent": other_post_comment.pk})
    assert response.status_code == 404


def test_deleting_a_post_takes_its_conversation_and_moderation_still_works(client, member):
    from django.contrib.auth.models import Group

    post = make_article()
    make_comment(target=post, author=member, body="Going with the post")
    make_comment(target=make_article(), author=member, body="Staying")
    post.delete()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Staying"]
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get("/admin/comments/comment/").status_code == 200


def test_held_or_removed_comments_cannot_be_reported(client, member, other_member):
    post = make_article()
    held = make_comment(target=post, author=other_member, status="pending")
    client.force_login(member)
    response = client.post(f"/comments/{held.pk}/report/", {"reason": "spam"}, follow=True)
    assert "already with our team" in response.content.decode()
    assert held.reports.count() == 0


def test_replying_to_a_held_or_missing_comment_answers_the_same(client, post, member,
                                                                 other_member):
    """Before: 403 for a held comment and 404 for a missing one told them apart."""
    held = make_comment(target=post, author=other_member, status="pending")
    removed = make_comment(target=post, author=other_member, status="removed")
    client.force_login(member)
    answers = {client.get(f"/comments/{pk}/reply/").status_code
               for pk in (held.pk, removed.pk, 999999)}
    assert answers == {404}
