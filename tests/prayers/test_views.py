import re

import pytest
from django.test import Client

from prayers.models import Prayer, PrayerMark
from tests.factories import DEFAULT_PASSWORD, make_article, make_member, make_prayer
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


@pytest.fixture
def post(db):
    return make_article(title="Prayer for the valley")


def prayed_url(prayer):
    return f"/prayers/{prayer.pk}/prayed/"


def test_member_prays_without_javascript(client, member, post):
    client.force_login(member)
    back = f"{post.get_absolute_url()}#prayer-{post.prayer.pk}"
    response = client.post(prayed_url(post.prayer), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    html = client.get(post.get_absolute_url()).content.decode()
    assert "You prayed" in html and "1 person has prayed" in html
    # A second click changes nothing.
    client.post(prayed_url(post.prayer), {"next": back})
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1
    assert "You prayed" in client.get(post.get_absolute_url()).content.decode()


def test_member_prays_with_javascript_gets_json(client, member, post):
    client.force_login(member)
    response = client.post(prayed_url(post.prayer), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"prayed": True, "count": 1, "label": "1 person has prayed",
                               "action": f"/prayers/{post.prayer.pk}/unprayed/"}


def test_prayed_is_post_only_with_csrf(member, post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(prayed_url(post.prayer)).status_code == 405
    assert client.post(prayed_url(post.prayer)).status_code == 403
    assert not PrayerMark.objects.exists()


def test_unknown_or_hidden_prayers_are_404(client, member, db):
    client.force_login(member)
    draft = make_article(status="draft")
    assert client.post(prayed_url(draft.prayer)).status_code == 404
    assert client.post("/prayers/999999/prayed/").status_code == 404


def test_next_must_stay_on_this_site(client, member, post):
    client.force_login(member)
    response = client.post(prayed_url(post.prayer), {"next": "https://evil.example/"})
    assert response["Location"] == f"{post.get_absolute_url()}#prayer-{post.prayer.pk}"


def test_anonymous_click_survives_log_in(client, post):
    member = make_member(email="ada@example.org")
    back = f"{post.get_absolute_url()}#prayer-{post.prayer.pk}"
    response = client.post(prayed_url(post.prayer), {"next": back})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    login_page = client.get(response["Location"])
    assert "Log in or sign up, and we will record your prayer." in login_page.content.decode()
    response = client.post(
        response["Location"], {"login": "ada@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == back
    assert PrayerMark.objects.filter(user=member, prayer=post.prayer).exists()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "You prayed" in html and "1 person has prayed" in html
    assert "We recorded your prayer" in html


def test_anonymous_click_survives_sign_up_and_confirmation(client, post):
    client.post(prayed_url(post.prayer), {"next": post.get_absolute_url()})
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "pray-without-ceasing-17",
         "password2": "pray-without-ceasing-17", "display_name": "New Member"},
    )
    confirm = re.search(r"testserver(/accounts/confirm-email/[^/\s]+/)", delivered()[0].body)
    response = client.post(confirm.group(1))
    assert response.status_code == 302
    assert response["Location"].startswith(post.get_absolute_url())
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1


def test_anonymous_javascript_click_is_told_where_to_log_in(client, post):
    response = client.post(prayed_url(post.prayer), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["login_url"].startswith("/accounts/login/?next=")


def test_rate_limit_gives_a_clear_message(client, member, db, monkeypatch):
    monkeypatch.setattr("prayers.views.PRAYED_LIMIT", 2)
    client.force_login(member)
    prayers = [make_prayer(text=f"Father, we pray for place {i}.") for i in range(3)]
    for prayer in prayers[:2]:
        client.post(prayed_url(prayer), {"next": "/"})
    response = client.post(prayed_url(prayers[2]), {"next": "/"}, follow=True)
    assert response.status_code == 200
    assert "Please wait a moment and try again." in response.content.decode()
    assert not PrayerMark.objects.filter(prayer=prayers[2]).exists()
    response = client.post(prayed_url(prayers[2]), HTTP_ACCEPT="application/json")
    assert response.status_code == 429 and "wait a moment" in response.json()["error"]


def test_standalone_prayer_can_be_prayed(client, member, db):
    prayer = make_prayer()
    client.force_login(member)
    client.post(prayed_url(prayer), {"next": "/"})
    assert Prayer.objects.get(pk=prayer.pk).prayed_count == 1
    assert delivered() == []


@pytest.mark.parametrize("next_value", ["foo", "home", "//evil.example/x", ["a", "b"], ""])
def test_odd_next_values_fall_back_to_the_prayer(client, member, post, next_value):
    client.force_login(member)
    response = client.post(prayed_url(post.prayer), {"next": next_value})
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#prayer-{post.prayer.pk}"


def test_a_stale_pending_prayer_is_not_recorded_later(client, post, monkeypatch):
    import time

    from django.core import signing

    make_member(email="later@example.org")
    client.post(prayed_url(post.prayer), {"next": post.get_absolute_url()})
    later = time.time() + 2 * 60 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    client.post("/accounts/login/", {"login": "later@example.org", "password": DEFAULT_PASSWORD})
    assert not PrayerMark.objects.exists()


def test_a_pending_prayer_is_recorded_once_then_forgotten(client, post):
    first = make_member(email="first@example.org")
    second = make_member(email="second@example.org")
    client.post(prayed_url(post.prayer), {"next": post.get_absolute_url()})
    response = client.post(
        "/accounts/login/", {"login": "first@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.cookies["pending_prayer"].value == ""  # deleted
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": "second@example.org", "password": DEFAULT_PASSWORD})
    assert list(PrayerMark.objects.values_list("user", flat=True)) == [first.pk]
    assert second.pk not in PrayerMark.objects.values_list("user", flat=True)


def test_a_forged_pending_prayer_cookie_is_ignored(client, post):
    make_member(email="forger@example.org")
    client.cookies["pending_prayer"] = str(post.prayer.pk)
    client.post("/accounts/login/", {"login": "forger@example.org", "password": DEFAULT_PASSWORD})
    assert not PrayerMark.objects.exists()


def test_state_page_shows_its_prayers_with_the_button(client, member, db):
    from states.models import State

    texas = State.objects.get(code="TX")
    prayer = make_prayer(text="Father, we pray for the Texas coast.", state=texas)
    client.force_login(member)
    client.post(prayed_url(prayer), {"next": "/states/texas/"})
    html = client.get("/states/texas/").content.decode()
    assert "Father, we pray for the Texas coast." in html
    assert "You prayed" in html and "1 person has prayed" in html


def test_anonymous_clicks_create_no_session_rows(client, post):
    from django.contrib.sessions.models import Session

    for _ in range(20):
        assert Client().post(prayed_url(post.prayer)).status_code == 302
    assert Session.objects.count() == 0


def test_anonymous_clicks_cannot_spill_messages_into_sessions(client, post):
    """Before: once the messages cookie was full (some thousands of clicks, as the
    cookie is compressed), each click's message went into a new database session,
    kept for two weeks. Here the cookie is full of messages that do not compress."""
    import secrets

    from django.contrib.messages import add_message, constants
    from django.contrib.messages.storage import default_storage
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.http import HttpResponse
    from django.test import RequestFactory

    for _ in range(80):  # the client sends back the growing messages cookie
        client.post(prayed_url(post.prayer))
    request = RequestFactory().post(prayed_url(post.prayer))
    request.session = SessionStore()
    request._messages = default_storage(request)
    for _ in range(200):
        add_message(request, constants.INFO, secrets.token_hex(32))
    response = HttpResponse()
    request._messages.update(response)
    if request.session.modified:
        request.session.save()
    assert len(response.cookies["messages"].value) <= 4096
    assert Session.objects.count() == 0


def test_a_member_undoes_a_prayer_with_and_without_javascript(client, member, post):
    client.force_login(member)
    client.post(prayed_url(post.prayer), {"next": post.get_absolute_url()})
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'action="/prayers/{post.prayer.pk}/unprayed/"' in html and "You prayed" in html
    response = client.post(f"/prayers/{post.prayer.pk}/unprayed/",
                           HTTP_ACCEPT="application/json")
    assert response.json() == {"prayed": False, "count": 0, "label": "Be the first to pray",
                               "action": f"/prayers/{post.prayer.pk}/prayed/"}
    html = client.get(post.get_absolute_url()).content.decode()
    assert "I Prayed" in html and not PrayerMark.objects.exists()
    assert Client().post(f"/prayers/{post.prayer.pk}/unprayed/").status_code == 302  # log in
