"""The whole member journey through real allauth views and real mail."""
import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from states.models import State
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

EMAIL = "mkh.sings@example.org"
PASSWORD = "songs-by-the-sea-15"
NEW_PASSWORD = "a-new-song-psalm-96"


def link_in(message, pattern):
    match = re.search(r"https?://testserver(" + pattern + r")", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_sign_up_verify_log_in_edit_log_out_reset_and_delete(client):
    # Sign up.
    response = client.post(
        "/accounts/signup/",
        {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD,
         "display_name": "  Miriam   A. "},
    )
    assert response.status_code == 302
    user = User.objects.get(email=EMAIL)
    assert user.display_name == "Miriam A."
    assert "mkh" not in user.username

    # Verification mail, with a link that confirms the address.
    assert len(delivered()) == 1
    assert "Thank you for joining Intercessors." in delivered()[0].body
    confirm_url = link_in(delivered()[0], r"/accounts/confirm-email/[^/\s]+/")
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    # Log out (POST), then log in with email and password.
    client.post("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 302
    response = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302

    # Edit the profile.
    texas = State.objects.get(code="TX")
    response = client.post(
        "/accounts/profile/", {"display_name": "Miriam of Austin", "home_state": texas.pk}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.home_state) == ("Miriam of Austin", texas)
    page = client.get("/accounts/profile/").content.decode()
    assert "Your profile has been saved." in page
    assert 'href="/states/texas/"' in page

    # Log out.
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 302

    # Password reset by mail; the new password works and the old one does not.
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": EMAIL})
    assert response.status_code == 302
    assert len(delivered()) == 1
    reset_url = link_in(delivered()[0], r"/accounts/password/reset/key/[^/\s]+/")
    response = client.get(reset_url)
    assert response.status_code == 302  # allauth moves the key into the session
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    fresh = Client()
    assert not fresh.login(email=EMAIL, password=PASSWORD)
    response = fresh.post("/accounts/login/", {"login": EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert fresh.get("/accounts/profile/").status_code == 200

    # Delete the account: wrong password first, then the real one.
    response = fresh.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That password is not correct" in response.content.decode()
    response = fresh.post("/accounts/delete/", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert user.email == "" and user.display_name == "" and user.home_state is None
    assert user.public_name == "Deleted member"
    assert not user.emailaddress_set.exists()
    assert fresh.get("/accounts/profile/").status_code == 302
    response = Client().post("/accounts/login/", {"login": EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 200  # the form again, with an error


@pytest.mark.django_db
def test_unverified_member_cannot_log_in_until_confirmed(client):
    make_member(email="new@example.org", verified=False)
    response = client.post(
        "/accounts/login/", {"login": "new@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get("/accounts/profile/").status_code == 302


def test_profile_requires_login(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"
    response = client.get("/accounts/delete/")
    assert response["Location"] == "/accounts/login/?next=/accounts/delete/"


def test_logout_needs_post_with_csrf(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    # GET only asks for confirmation.
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert client.get("/accounts/profile/").status_code == 200
    # POST without the token is refused and the member stays logged in.
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert client.get("/accounts/profile/").status_code == 200
    # With the token it works.
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_profile_rejects_bad_display_name_and_keeps_input(client, member):
    client.force_login(member)
    response = client.post(
        "/accounts/profile/", {"display_name": "hannah@example.org", "home_state": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot contain" in html
    assert 'value="hannah@example.org"' in html
    member.refresh_from_db()
    assert member.display_name == "Hannah P."


def test_profile_rejects_unknown_state(client, member):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": "Hannah", "home_state": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_signup_errors_keep_what_was_typed(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "joel@example.org", "password1": "short", "password2": "short",
         "display_name": "J"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="joel@example.org"' in html
    assert "at least 2 characters" in html
    assert not User.objects.filter(email="joel@example.org").exists()


def test_login_failures_are_rate_limited(client, member):
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": member.email, "password": "wrong-password"}
        )
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()


def test_account_pages_use_the_site_layout(client, db):
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        html = client.get(url).content.decode()
        assert 'class="site-header"' in html, url
        assert 'class="form"' in html, url


def test_deleting_is_rate_limited_against_password_guessing(client, member):
    client.force_login(member)
    for _ in range(5):
        assert client.post("/accounts/delete/", {"password": "guess"}).status_code == 200
    response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    member.refresh_from_db()
    assert member.is_active


def test_confirmation_page_shows_no_email_address(client, db):
    client.post(
        "/accounts/signup/",
        {"email": "quiet@example.org", "password1": PASSWORD, "password2": PASSWORD,
         "display_name": "Quiet One"},
    )
    url = link_in(delivered()[0], r"/accounts/confirm-email/[^/\s]+/")
    html = Client().get(url).content.decode()
    assert "Confirm your email address" in html and "quiet@example.org" not in html


def test_admin_cannot_hard_delete_members_but_can_wipe_them(client, member):
    admin_user = make_member(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/user/{member.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_accounts", "_selected_action": [member.pk]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.public_name == "Deleted member" and member.email == ""


@pytest.mark.parametrize("name", ["grace＠example.org", "grace﹫example.org"])
def test_look_alike_at_signs_are_refused_in_display_names(client, member, name):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": name, "home_state": ""})
    assert response.status_code == 200 and "cannot contain" in response.content.decode()


def test_a_superuser_is_created_by_email_and_logs_in_at_once(client, db, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from accounts.services import delete_account

    # Two deleted accounts, whose addresses are empty, do not stand in the way.
    for _ in range(2):
        delete_account(user=make_member())
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-office-password")
    call_command("createsuperuser", interactive=False, email="office@ministry.example",
                 display_name="Ministry office", stdout=StringIO())
    assert User.objects.get(email="office@ministry.example").is_superuser
    response = client.post("/accounts/login/", {"login": "office@ministry.example",
                                                "password": "a-long-office-password"})
    assert response.status_code == 302 and "confirm" not in response["Location"]
    assert client.get("/admin/").status_code == 200
    assert "office@ministry.example" not in client.get("/admin/").content.decode()
