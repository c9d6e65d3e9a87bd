"""The page that asks a new member to confirm their address: the link sent again,
within a limit, to the address of the sign-up under way in this browser only; and
a way to reach us."""
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from library.models import OutboxMessage

EMAIL = "naomi.new@example.org"
PASSWORD = "a-long-psalm-121"


def sign_up(client):
    response = client.post("/accounts/signup/", {
        "email": EMAIL, "password1": PASSWORD, "password2": PASSWORD,
        "display_name": "Naomi"})
    assert response.status_code == 302
    return response["Location"]


def confirmations():
    return OutboxMessage.objects.filter(kind__startswith="account/email/email_confirmation",
                                        to=EMAIL)


def test_the_link_goes_again_when_asked_and_not_again_at_once(client, db, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    page = client.get(sign_up(client))
    html = page.content.decode()
    assert page.status_code == 200 and "Send it again" in html
    assert 'href="/contact/"' in html and "Contact us" in html
    assert confirmations().count() == 1
    # Pressed at once, it says the link has only just gone; a few minutes on, it goes.
    response = client.post("/accounts/confirmation/again/", follow=True)
    assert confirmations().count() == 1 and "a moment ago" in response.content.decode()
    time_machine.shift(timedelta(minutes=4))
    response = client.post("/accounts/confirmation/again/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert confirmations().count() == 2
    # Pressed again at once: allauth's limit on such mail holds, and says so kindly.
    response = client.post("/accounts/confirmation/again/", follow=True)
    assert confirmations().count() == 2
    assert "a moment ago" in response.content.decode()


def test_another_browser_can_send_nothing_and_it_takes_a_post(client, db):
    sign_up(client)
    assert client.get("/accounts/confirmation/again/").status_code == 405
    stranger = Client()
    response = stranger.post("/accounts/confirmation/again/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Log in with your email address" in response.content.decode()
    assert confirmations().count() == 1
    enforcing = Client(enforce_csrf_checks=True)
    assert enforcing.post("/accounts/confirmation/again/").status_code == 403
