"""Account mail in the site's own words: the site named by its name, never by the
host and port a request came to (allauth's stock words say "an account on
127.0.0.1:8402")."""
import re
from datetime import UTC, datetime

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.test import RequestFactory

from library.mail.compose import KIND_LABELS
from tests.mailbox import delivered

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

HOST = "127.0.0.1:8402"
LINK = re.compile(r"https?://\S+")


def words(text: str) -> str:
    """The text without its links: what it says, where no host belongs."""
    return LINK.sub("<link>", text)


def assert_in_the_sites_words(text: str) -> None:
    assert settings.SITE_NAME in text, text
    for host in ("127.0.0.1", "8402", "testserver", "localhost"):
        assert host not in words(text), text
    assert "{{" not in text and "{%" not in text and "&#x27;" not in text and "&amp;" not in text


@pytest.mark.parametrize("host", [HOST, "testserver"])
def test_the_sign_up_mail_names_the_site_and_carries_the_link(client, db, host):
    response = client.post(
        "/accounts/signup/",
        {"email": "o'hara.prays@example.org", "password1": "mercies-new-each-morning",
         "password2": "mercies-new-each-morning", "display_name": "Nora O."},
        headers={"host": host},
    )
    assert response.status_code == 302
    [message] = delivered()
    assert message.to == ["o'hara.prays@example.org"]
    assert "confirm your email" in message.subject
    assert_in_the_sites_words(message.body)
    assert f"Thank you for joining {settings.SITE_NAME}." in message.body
    assert re.search(rf"^http://{re.escape(host)}/accounts/confirm-email/[^/\s]+/$",
                     message.body, re.MULTILINE), message.body


ACCOUNT_MAIL = sorted(kind for kind in KIND_LABELS if kind.startswith("account/email/"))
CONTEXT = {
    "activate_url": f"http://{HOST}/accounts/confirm-email/Mg:1vS:key/",
    "key": "Mg:1vS:key",
    "password_reset_url": f"http://{HOST}/accounts/password/reset/key/2-key/",
    "signup_url": f"http://{HOST}/accounts/signup/",
    "from_email": "old.address@example.org",
    "to_email": "new.address@example.org",
    "deleted_email": "old.address@example.org",
    "timestamp": datetime(2026, 12, 7, 14, 45, tzinfo=UTC),
    "ip": "203.0.113.9",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
}


@pytest.mark.parametrize("kind", ACCOUNT_MAIL)
def test_every_account_mail_is_in_the_sites_words(kind, member):
    request = RequestFactory().get("/accounts/email/", headers={"host": HOST})
    request.user = member
    with allauth_context.request_context(request):
        message = get_adapter(request).render_mail(kind, member.email, {
            "request": request, "email": member.email, "user": member,
            # What allauth's own send_mail adds (accounts.adapter passes it on).
            "current_site": type("Site", (), {"name": HOST, "domain": HOST})(),
            **CONTEXT,
        })
    assert message.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert len(message.subject) > len(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) + 10
    assert_in_the_sites_words(message.body)
    assert message.body.startswith("Hello,\n\n")
    assert message.body.endswith(f"Grace and peace,\nThe {settings.SITE_NAME} team")


def test_a_notice_of_a_change_says_when_and_from_where(member):
    request = RequestFactory().get("/", headers={"host": HOST})
    with allauth_context.request_context(request):
        message = get_adapter(request).render_mail(
            "account/email/email_changed", member.email, {"request": request, **CONTEXT})
    body = message.body
    assert "now uses new.address@example.org instead of old.address@example.org" in body
    assert "When: Monday, December 7, 2026, 9:45 a.m. EST" in body
    assert "From: 203.0.113.9, in Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" in body
    assert f"{settings.SITE_URL}/accounts/password/reset/" in body
