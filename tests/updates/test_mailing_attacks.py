"""Attacks on and mistakes in mailings, state alerts and the provider's webhooks,
found in review: each test failed before its fix."""
import json
from datetime import timedelta
from unittest import mock

import pytest
from anymail.exceptions import AnymailAPIError
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from library import jobs
from library.mail import outbox
from library.models import OutboxMessage, SuppressedAddress
from prayers import followup as prayer_updates
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_member, make_request
from tests.mailbox import unstamped
from updates import editions, mailings
from updates.models import Mailing, Subscriber


def reader(email, **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


# 1. Forged webhooks: any provider's endpoint without a shared secret.
@pytest.mark.parametrize("provider,body", [
    ("postmark", {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "TypeCode": 512,
                  "Email": "victim@example.org", "MessageID": "x", "ID": 1,
                  "BouncedAt": "2024-01-01T00:00:00Z", "Description": "forged"}),
    ("sendgrid", [{"event": "spamreport", "email": "victim@example.org",
                   "timestamp": 1700000000, "sg_event_id": "e"}]),
])
def test_forged_provider_event_is_refused(db, settings, provider, body):
    settings.MAIL_PROVIDER = provider  # even the provider in use, without its secret
    response = Client().post(f"/mail/events/{provider}/tracking/", json.dumps(body),
                             content_type="application/json")
    assert not SuppressedAddress.objects.exists(), (
        f"unsigned {provider} webhook answered {response.status_code} and suppressed")
    assert 400 <= response.status_code < 500


# 2. A mailing whose queued job was lost (or ran out of retries) is never resumed.
def test_a_sending_mailing_has_a_schedule_that_resumes_it(db):
    funcs = {spec["func"] for spec in jobs.SCHEDULES.values()}
    assert "updates.mailings.fan_out" in funcs


# 3. A provider's 401/403 (bad or rotated API key) fails every message for good.
def test_provider_auth_error_does_not_fail_the_whole_outbox(db, settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for n in range(3):
        outbox.record(kind="updates/email/mailing", to=f"r{n}@example.org", subject="s",
                      body="b")
    response = mock.Mock(reason="Unauthorized", status_code=401, text="bad token")
    response.json.side_effect = ValueError
    error = AnymailAPIError("Unauthorized: bad server token", status_code=401,
                            response=response, esp_name="Postmark")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=error):
        try:
            outbox.deliver_waiting()
        except outbox.MailServerAway:
            pass
    statuses = set(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {"waiting"}, statuses


# 4. "Answered prayers I prayed for" mail to subscribers ignores the suppression list.
def test_answered_mail_skips_suppressed_subscribers(db):
    asker = make_member()
    prayer = make_request(author=asker)
    sub = reader("complainer@example.org", answered=True)
    mark_prayed(subscriber=sub, prayer=prayer)
    outbox.suppress("complainer@example.org", SuppressedAddress.Reason.COMPLAINED)
    prayer_updates.add_update(prayer=prayer, user=asker, text="It went well, thank you.",
                              answered=True)
    prayer_updates.tell_answered()
    assert not OutboxMessage.objects.filter(to="complainer@example.org",
                                            status="waiting").exists()


# 5. A member's request text can plant a reader-link mark into everyone's alert.
def test_request_text_cannot_plant_reader_links(db):
    texas = State.objects.get(code="TX")
    sub = reader("texan@example.org", state=texas)
    make_request(author=make_member(), state=texas, anonymous=False,
                 text="Free gift, confirm here: @@leave-link@@",
                 published_at=timezone.now() - timedelta(hours=1))
    editions.send("state", state=texas)
    editions.fan_out()
    (mail,) = OutboxMessage.objects.filter(kind="updates/email/state")
    assert unstamped(sub.leave_token) not in mail.body.split("--")[0].split("Free gift")[1][:300]


# 6. "Schedule it" pressed after the saved time has passed sends at once, silently.
def test_stale_send_at_is_not_sent_without_asking(db, time_machine):
    texas = State.objects.get(code="TX")
    reader("texan@example.org", state=texas)
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    at = timezone.localtime() + timedelta(hours=1)
    client.post("/admin/updates/mailing/add/", {
        "subject": "Sunday", "body": "Pray on Sunday", "audience": "state", "state": texas.pk,
        "prayer": "", "post": "", "send_at_0": at.strftime("%Y-%m-%d"),
        "send_at_1": at.strftime("%H:%M:%S")})
    mailing = Mailing.objects.get()
    assert mailing.send_at
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    client.post(f"/admin/updates/mailing/{mailing.pk}/send/")
    mailing.refresh_from_db()
    assert mailing.status == "draft"


# 7. A scheduled mailing can be neither edited nor unscheduled from admin.
def test_a_scheduled_mailing_can_be_cancelled(db):
    texas = State.objects.get(code="TX")
    reader("texan@example.org", state=texas)
    mailing = Mailing.objects.create(subject="s", body="b", audience="state", state=texas,
                                     send_at=timezone.now() + timedelta(days=1))
    mailings.start(mailing)
    superuser = make_member(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    page = client.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "unschedule" in page.lower() or "cancel" in page.lower()


# 8. A soft (transient) bounce suppresses the address for good.
def test_a_soft_bounce_does_not_suppress(db, settings):
    import base64
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "u:p"}
    settings.MAIL_PROVIDER = "postmark"
    body = {"RecordType": "Bounce", "Type": "SoftBounce", "TypeCode": 4096,
            "Email": "full-mailbox@example.org", "MessageID": "x", "ID": 1,
            "BouncedAt": "2024-01-01T00:00:00Z", "Description": "Mailbox full"}
    auth = "Basic " + base64.b64encode(b"u:p").decode()
    response = Client().post("/mail/events/postmark/tracking/", json.dumps(body),
                             content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    assert not SuppressedAddress.objects.exists()


# 9. A post taken down after its edition was made still goes to every reader.
def test_an_unpublished_post_is_not_mailed(db):
    from tests.factories import make_article
    reader("daily@example.org", daily=True)
    post = make_article(title="Secret draft", published_at=timezone.now() - timedelta(hours=1))
    edition = editions.send("daily")
    assert edition is not None
    type(post).objects.filter(pk=post.pk).update(status="draft")
    editions.fan_out()
    assert not OutboxMessage.objects.filter(kind="updates/email/daily",
                                            body__contains="SECRET DRAFT").exists()


def test_a_hard_bounce_from_the_provider_in_use_suppresses(db, settings):
    import base64
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "u:p"}
    settings.MAIL_PROVIDER = "postmark"
    body = {"RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1,
            "Email": "gone@example.org", "MessageID": "x", "ID": 1,
            "BouncedAt": "2024-01-01T00:00:00Z", "Description": "No such mailbox"}
    auth = "Basic " + base64.b64encode(b"u:p").decode()
    client = Client()
    assert client.post("/mail/events/postmark/tracking/", json.dumps(body),
                       content_type="application/json",
                       HTTP_AUTHORIZATION=auth).status_code == 200
    assert SuppressedAddress.objects.get().email == "gone@example.org"
    # Another provider's address is not a way in.
    assert client.post("/mail/events/mailgun/tracking/", "{}", content_type="application/json",
                       HTTP_AUTHORIZATION=auth).status_code == 404
