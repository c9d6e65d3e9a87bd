import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from comments.services import post_comment
from tests.factories import make_article, make_comment, make_member


@pytest.fixture
def editor(db):
    user = make_member(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_editors_moderate_in_bulk(client, editor, member):
    post = make_article()
    held = make_comment(target=post, author=member, body="Held words", status="pending")
    rude = make_comment(target=post, author=member, body="Rude words")
    client.force_login(editor)
    listing = client.get("/admin/comments/comment/?status__exact=pending")
    assert listing.status_code == 200
    assert [c.pk for c in listing.context["cl"].result_list] == [held.pk]
    assert f'href="{post.get_absolute_url()}#comment-{held.pk}"' in listing.content.decode()
    search = client.get("/admin/comments/comment/?q=rude")
    assert [c.pk for c in search.context["cl"].result_list] == [rude.pk]

    client.post("/admin/comments/comment/", {"action": "approve", "_selected_action": [held.pk]})
    client.post("/admin/comments/comment/", {"action": "remove", "_selected_action": [rude.pk]})
    assert Comment.objects.get(pk=held.pk).status == "published"
    assert Comment.objects.get(pk=rude.pk).status == "removed"
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Held words" in html and "Rude words" not in html


def test_members_cannot_reach_moderation(client, member):
    client.force_login(member)
    assert client.get("/admin/comments/comment/").status_code == 302


def test_reply_mail_setting_is_on_by_default_and_off_in_the_profile(client, member):
    assert member.notify_replies is True
    client.force_login(member)
    html = client.get("/accounts/profile/").content.decode()
    assert "Email me when someone replies to my comment" in html
    client.post("/accounts/profile/", {"display_name": "Hannah P.", "home_state": ""})
    member.refresh_from_db()
    assert member.notify_replies is False


def test_the_admin_home_page_shows_what_waits(client, editor, member):
    from partners.models import PartnerPledge

    post = make_article()
    make_comment(target=post, author=member, status="pending")
    PartnerPledge.objects.create(reference="P-WAIT1", first_name="A", last_name="B",
                                 email="a@example.org", amount=10, frequency="monthly")
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Waiting for you" in html and "<strong>1</strong> held comment<" in html
    assert "<strong>0</strong> open reports" in html
    assert "new pledges" not in html  # editors may not see pledges
    superuser = make_member(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert "<strong>1</strong> new pledge<" in client.get("/admin/").content.decode()


def test_the_held_list_shows_the_links_that_held_a_comment_as_plain_text(client, editor, member):
    post = make_article()
    body = "[kind words](https://evil.example/a?b=1&c=<x>) and www.spam.example"
    held = post_comment(author=member, target=post, body=body)
    assert held.status == "pending"
    client.force_login(editor)
    html = client.get("/admin/comments/comment/?status__exact=pending").content.decode()
    assert "https://evil.example/a?b=1&amp;c=%3Cx%3E" in html or (
        "https://evil.example/a?b=1&amp;c=&lt;x&gt;" in html)
    assert "http://www.spam.example" in html
    assert 'href="https://evil.example' not in html and 'href="http://www.spam' not in html
    assert "<x>" not in html
