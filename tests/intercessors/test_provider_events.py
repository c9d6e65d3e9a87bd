"""The mail provider's webhooks: bounces and complaints, signed by the provider,
suppress the address for bulk mail; a bad signature changes nothing."""
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from intercessors import outbox
from intercessors.models import OutboxMessage, SuppressedAddress

KEY = "test-webhook-signing-key"
URL = "/mail/events/mailgun/tracking/"


@pytest.fixture
def provider(settings):
    settings.MAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def mailgun_event(event: str, recipient: str, *, key=KEY, **extra) -> str:
    """A Mailgun tracking webhook body, signed as Mailgun signs it (HMAC-SHA256 of the
    timestamp and token with the webhook signing key)."""
    timestamp, token = str(int(time.time())), "t" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(),
                         hashlib.sha256).hexdigest()
    return json.dumps({
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"event": event, "recipient": recipient, "timestamp": time.time(),
                       "id": "evt-1", "message": {"headers": {"message-id": "m@x"}},
                       **extra},
    })


def post(body):
    return Client().post(URL, body, content_type="application/json")


@pytest.mark.parametrize(("event", "extra", "reason"), [
    ("failed", {"severity": "permanent", "reason": "bounce"}, "bounced"),
    ("complained", {}, "complained"),
])
def test_a_bounce_or_complaint_suppresses_the_address(db, provider, event, extra, reason):
    waiting = outbox.record_many([{"kind": "updates/email/daily", "to": "gone@example.org",
                                   "subject": "s", "body": "b", "batch_key": "edition-1:1"}])
    assert waiting == 1
    assert post(mailgun_event(event, "Gone@Example.org", **extra)).status_code == 200
    assert SuppressedAddress.objects.get().reason == reason
    assert outbox.suppressed(["gone@example.org"]) == {"gone@example.org"}
    # Bulk mail still waiting for it is dropped; mail it asked for is not touched.
    assert OutboxMessage.objects.get().status == "failed"


def test_a_temporary_failure_suppresses_nothing(db, provider):
    assert post(mailgun_event("failed", "busy@example.org", severity="temporary")
                ).status_code == 200
    assert not SuppressedAddress.objects.exists()


@pytest.mark.parametrize("body", [
    mailgun_event("complained", "victim@example.org", key="a-guessed-key"),
    json.dumps({"event-data": {"event": "complained", "recipient": "victim@example.org"}}),
    "not json at all",
])
def test_a_bad_signature_is_refused_and_changes_nothing(db, provider, body):
    response = post(body)
    assert 400 <= response.status_code < 500
    assert not SuppressedAddress.objects.exists()


def test_without_a_configured_key_nothing_validates(db, settings):
    # Unset, the key is a random secret of this process: no one can sign for it.
    settings.MAIL_PROVIDER = "mailgun"
    assert post(mailgun_event("complained", "victim@example.org", key="")).status_code == 400
    assert not SuppressedAddress.objects.exists()


def test_no_provider_no_webhook(db):
    assert post(mailgun_event("complained", "victim@example.org")).status_code == 404
    assert not SuppressedAddress.objects.exists()
