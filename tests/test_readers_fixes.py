"""What new readers, members and staff tripped over: each fixed at its cause
(the visible ones are checked in the browser, tests/e2e/test_readers.py)."""
import re

import pytest
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.factories import make_article, make_comment, make_member
from tests.mailbox import delivered


def test_a_new_member_is_welcomed_and_a_returning_one_welcomed_back(client, db):
    client.post("/accounts/signup/", {"email": "new@example.org", "display_name": "New Member",
                                      "password1": "pray-without-ceasing-17",
                                      "password2": "pray-without-ceasing-17"})
    confirm = re.search(r"testserver(/accounts/confirm-email/[^/\s]+/)", delivered()[0].body)
    html = client.post(confirm.group(1), follow=True).content.decode()
    assert "Welcome to Intercessors" in html and "Welcome back" not in html
    client.post("/accounts/logout/")
    html = client.post("/accounts/login/", {"login": "new@example.org",
                                            "password": "pray-without-ceasing-17"},
                       follow=True).content.decode()
    assert "Welcome back" in html


@pytest.mark.parametrize("body", [
    "The library that has stood on Main Street for a century " * 5,
    "Words, " * 60,
])
def test_summaries_end_between_words(db, body):
    teaser = make_article(body=body).teaser
    assert len(teaser) <= 200 and teaser.endswith("…")
    assert not re.search(r"[ ,]…$", teaser)
    assert teaser[:-1].split()[-1] in {word.strip(",") for word in body.split()}


def test_a_comment_deleted_by_its_author_says_so_in_admin_and_the_export(client, db):
    from comments.services import delete_comment

    author = make_member()
    post = make_article()
    comment = make_comment(target=post, author=author, body="Words I took back")
    make_comment(target=post, author=make_member(), body="A reply", parent=comment)
    delete_comment(comment=comment, user=author)
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    listing = staff.get("/admin/comments/comment/").content.decode()
    assert "Deleted by its author" in listing
    client.force_login(author)
    statuses = [c["status"] for c in client.get("/accounts/export/").json()["comments"]]
    assert statuses == ["deleted"]
    assert Comment.objects.get(pk=comment.pk).state_label == "Deleted by its author"


def test_the_map_counts_each_prayer_once_in_all(client, db):
    from prayers.models import PrayerMark
    from states.models import State

    texas, ohio = State.objects.get(code="TX"), State.objects.get(code="OH")
    post = make_article(states=[texas, ohio])
    for _ in range(3):
        PrayerMark.objects.create(user=make_member(), prayer=post.prayer)
    html = client.get("/states/").content.decode()
    assert "3 in all" in html  # before: 6, once for each state
    # The list below counts the post for each state: the page says why they differ.
    assert "so the states add up to 6." in html


def test_a_state_page_says_what_its_prayers_section_holds(client, member):
    from states.models import State

    client.force_login(member)
    iowa = State.objects.get(code="IA")
    client.post("/comments/post/", {"target": "states.state", "object_id": iowa.pk,
                                    "body": "Praying for Iowa tonight."})
    html = client.get("/states/iowa/").content.decode()
    assert "No prayers have been posted" not in html
    assert "Our team has not written a prayer for Iowa yet" in html


def test_a_post_saved_by_the_service_opens_with_its_prayer(db):
    post = make_article()
    assert Article.objects.get(pk=post.pk).opening_prayer.text.startswith("Father")
    bare = Article.objects.create(title="No prayer", slug="no-prayer")
    assert bare.opening_prayer is None


def test_comments_show_their_time_and_every_datetime_is_valid_html(client, db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import make_comment

    post = make_article()
    when = datetime(2022, 6, 6, 19, 42, 31, 123456, tzinfo=ZoneInfo("America/New_York"))
    make_comment(target=post, author=make_member(), body="Praying.", created_at=when)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "June 6, 2022 at 7:42 pm" in html
    values = re.findall(r'datetime="([^"]+)"', html + client.get("/articles/").content.decode())
    assert values
    # HTML's global date and time: no fractions of a second (|date:'c' wrote them).
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value


TITLE_CASE = ["Verify Your Email Address", "Remember Me", "Sign In", "Sign Up", "Sign Out",
              "Email Addresses", "Change Password", "Reset My Password", "Make Primary",
              "Password Reset", "Confirm Access"]


def test_account_pages_write_in_sentence_case_as_the_site_does(client, member):
    pages = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    html = "".join(client.get(path).content.decode() for path in pages)
    client.force_login(member)
    for path in ["/accounts/email/", "/accounts/password/change/", "/accounts/reauthenticate/"]:
        html += client.get(path).content.decode()
    found = [words for words in TITLE_CASE if words in html]
    assert found == []
    assert "Remember me" in html


def test_the_compiled_messages_match_their_source():
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "intercessors/locale/en/LC_MESSAGES"
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', (folder / "django.po").read_text(),
                       re.MULTILINE)
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    assert pairs and all(catalog.gettext(source) == target for source, target in pairs)
