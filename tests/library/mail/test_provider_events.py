"""The mail provider's webhooks: bounces and complaints, signed by the provider,
suppress the address for bulk mail; a bad signature, an old signature or one
already used changes nothing."""
import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.test import Client

from library.mail import outbox
from library.models import OutboxMessage, SuppressedAddress

KEY = "test-webhook-signing-key"
URL = "/mail/events/mailgun/tracking/"


@pytest.fixture
def provider(settings):
    settings.MAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def mailgun_event(event: str, recipient: str, *, key=KEY, at=None, token=None, **extra) -> str:
    """A Mailgun tracking webhook body, signed as Mailgun signs it (HMAC-SHA256 of the
    timestamp and token with the webhook signing key); each with a token of its own."""
    timestamp = str(int(time.time() if at is None else at))
    token = token or secrets.token_hex(25)
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


def signed_part(body: str) -> dict:
    return json.loads(body)["signature"]


def test_a_signature_older_than_five_minutes_is_refused(db, provider):
    old = mailgun_event("complained", "victim@example.org", at=time.time() - 301)
    assert 400 <= post(old).status_code < 500
    assert not SuppressedAddress.objects.exists()
    recent = mailgun_event("complained", "reader@example.org", at=time.time() - 240)
    assert post(recent).status_code == 200
    assert SuppressedAddress.objects.get().email == "reader@example.org"


def test_a_signature_from_the_future_is_refused(db, provider):
    ahead = mailgun_event("complained", "victim@example.org", at=time.time() + 400)
    assert 400 <= post(ahead).status_code < 500
    assert not SuppressedAddress.objects.exists()


def test_a_used_token_is_refused_even_with_another_body(db, provider):
    first = mailgun_event("failed", "one@example.org", severity="permanent", reason="bounce")
    assert post(first).status_code == 200
    # The captured signature, sent again as it was, then on another event.
    assert 400 <= post(first).status_code < 500
    replayed = json.loads(mailgun_event("complained", "two@example.org"))
    replayed["signature"] = signed_part(first)
    assert 400 <= post(json.dumps(replayed)).status_code < 500
    assert list(SuppressedAddress.objects.values_list("email", flat=True)) == ["one@example.org"]


def test_a_refused_signature_does_not_use_up_its_token(db, provider):
    """A forged body under a fresh token is refused; the provider's own event with
    that token is still taken."""
    token = secrets.token_hex(25)
    forged = mailgun_event("complained", "victim@example.org", key="a-guessed-key", token=token)
    assert 400 <= post(forged).status_code < 500
    real = mailgun_event("complained", "reader@example.org", token=token)
    assert post(real).status_code == 200
    assert SuppressedAddress.objects.get().email == "reader@example.org"


def test_the_legacy_form_post_is_held_to_the_same_rules(db, provider):
    """Mailgun's older webhooks post a form with the signature's fields at the top."""
    body = json.loads(mailgun_event("complained", "victim@example.org",
                                    at=time.time() - 3600))
    form = {**body["signature"], "event": "complained", "recipient": "victim@example.org",
            "Message-Id": "<m@x>"}
    response = Client().post(URL, form)
    assert 400 <= response.status_code < 500
    assert not SuppressedAddress.objects.exists()


def test_a_used_signature_cannot_be_split_another_way(db, provider):
    """Mailgun signs timestamp and token written together: "<time>e0" with the token
    less its first two characters signs the same, and must be refused too."""
    token = "e0" + secrets.token_hex(24)
    first = mailgun_event("failed", "one@example.org", token=token, severity="permanent",
                          reason="bounce")
    assert post(first).status_code == 200
    split = json.loads(mailgun_event("complained", "two@example.org"))
    signature = signed_part(first)
    split["signature"] = {"timestamp": signature["timestamp"] + "e0", "token": token[2:],
                          "signature": signature["signature"]}
    assert 400 <= post(json.dumps(split)).status_code < 500
    assert list(SuppressedAddress.objects.values_list("email", flat=True)) == ["one@example.org"]


def test_a_used_or_stale_signature_tells_mailgun_not_to_retry(db, provider):
    """406 is the answer Mailgun does not retry; a bad signature (a wrong key,
    perhaps ours) stays 400, so Mailgun tries again once it is fixed."""
    body = mailgun_event("complained", "reader@example.org")
    assert post(body).status_code == 200
    assert post(body).status_code == 406
    old = mailgun_event("complained", "late@example.org", at=time.time() - 600)
    assert post(old).status_code == 406
    assert post(mailgun_event("complained", "x@example.org", key="wrong")).status_code == 400
