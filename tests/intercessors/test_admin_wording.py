"""What staff read in admin says what it means: counts, money, kinds of mail, times."""
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from library.mail import outbox
from library.models import OutboxMessage
from partners.models import PartnerPledge
from prayers.models import Prayer
from tests.factories import make_article, make_comment, make_member, make_request


@pytest.fixture
def superuser(db):
    client = Client()
    client.force_login(make_member(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def editor(db):
    member = make_member(is_staff=True)
    member.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(member)
    return client


def test_the_admin_home_counts_in_good_english(superuser, member):
    post = make_article()
    make_comment(target=post, author=member, status="pending")
    html = superuser.get("/admin/").content.decode()
    assert "<strong>1</strong> held comment<" in html
    assert "<strong>0</strong> open reports<" in html
    make_comment(target=post, author=member, status="pending")
    assert "<strong>2</strong> held comments<" in superuser.get("/admin/").content.decode()


def test_approving_one_comment_says_one_comment(superuser, member):
    held = make_comment(target=make_article(), author=member, status="pending")
    response = superuser.post("/admin/comments/comment/", {
        "action": "approve", "_selected_action": [held.pk]}, follow=True)
    assert "1 comment approved." in response.content.decode()
    assert Comment.objects.get(pk=held.pk).status == "published"


def test_pledges_show_in_dollars(superuser):
    pledge = PartnerPledge.objects.create(reference="P-BIG1", first_name="A", last_name="B",
                                          email="a@example.org", amount=Decimal("1000"),
                                          frequency="monthly")
    listing = superuser.get("/admin/partners/partnerpledge/").content.decode()
    assert "$1,000.00" in listing and ">1000.00<" not in listing
    page = superuser.get(f"/admin/partners/partnerpledge/{pledge.pk}/change/").content.decode()
    assert "$1,000.00" in page


def test_the_kind_filter_shows_the_kinds_words(superuser, editor):
    Client().post("/accounts/signup/", {"email": "new@example.org",
                                        "password1": "a-long-psalm-119",
                                        "password2": "a-long-psalm-119",
                                        "display_name": "Joanna"})
    outbox.record_many([{"kind": "updates/email/daily", "to": "d@example.org",
                         "subject": "Today", "body": "x", "batch_key": "daily-1:1"}])
    html = superuser.get("/admin/library/outboxmessage/").content.decode()
    assert "Confirm a new account" in html.split('id="changelist-filter"')[1]
    assert "email_confirmation_signup</a>" not in html
    signup = superuser.get("/admin/library/outboxmessage/",
                           {"kind": "account/email/email_confirmation_signup"})
    assert [m.kind for m in signup.context["cl"].result_list] == [
        "account/email/email_confirmation_signup"]
    # Editors see only the kinds of bulk mail, and learn of no other.
    seen = editor.get("/admin/library/outboxmessage/").content.decode()
    assert "Confirm a new account" not in seen and "email_confirmation" not in seen
    hidden = editor.get("/admin/library/outboxmessage/",
                        {"kind": "account/email/email_confirmation_signup"})
    assert list(hidden.context["cl"].result_list) == []
    assert OutboxMessage.objects.count() == 2


def test_prayer_requests_can_be_filtered_and_seen_as_answered(superuser, member):
    answered = make_request(author=member, text="Pray for the harvest",
                            answered_at=timezone.now())
    make_request(author=member, text="Pray for the rain")
    html = superuser.get("/admin/prayers/prayerrequest/").content.decode()
    assert "By answered" in html or "answered</h3>" in html.lower()
    assert "column-answered" in html
    listing = superuser.get("/admin/prayers/prayerrequest/", {"answered": "yes"})
    assert [p.pk for p in listing.context["cl"].result_list] == [answered.pk]
    listing = superuser.get("/admin/prayers/prayerrequest/", {"answered": "no"})
    assert answered.pk not in [p.pk for p in listing.context["cl"].result_list]
    assert Prayer.objects.requests().count() == 2


def test_the_posts_prayer_box_is_as_wide_as_the_excerpt(editor):
    html = editor.get("/admin/articles/article/add/").content.decode()
    prayer = re.search(r"<textarea[^>]*name=\"prayer_text\"[^>]*>", html).group()
    body = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", html).group()
    assert 'class="vLargeTextField"' in prayer and 'class="vLargeTextField"' in body
    assert 'rows="3"' not in prayer


def test_date_fields_say_times_are_the_sites(editor):
    html = editor.get("/admin/articles/article/add/").content.decode()
    assert "Times are Eastern (America/New_York)." in html
    assert "style=" not in html.split('id="content"')[1]
