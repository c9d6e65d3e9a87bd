"""Editors see the mail they send to many (mailings, their test copies, the daily
email, the weekly digest, state alerts) in the outbox, read-only; never a security
mail or a notice to one member. Superusers see everything."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from library.mail import outbox
from library.models import OutboxMessage
from tests.factories import make_member

REPLY = {"recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
         "link": "http://testserver/"}


def bulk(kind, to, key, subject="Pray for the Gulf Coast"):
    outbox.record_many([{"kind": kind, "to": to, "subject": subject,
                         "body": f"The letter to {to}", "batch_key": key}])
    return OutboxMessage.objects.get(batch_key=key)


@pytest.fixture
def mail(db):
    """One of each: a mailing's copy, a test copy, a daily email, a sign-up's
    confirmation, a subscription's confirmation and a reply to a comment."""
    Client().post("/accounts/signup/", {"email": "new@example.org",
                                        "password1": "a-long-psalm-119",
                                        "password2": "a-long-psalm-119",
                                        "display_name": "Joanna"})
    return {
        "mailing": bulk("updates/email/mailing", "reader@example.org", "mailing-1:1"),
        "test": outbox.record(kind="updates/email/mailing", to="editor@example.org",
                              subject="[Test] Pray for the Gulf Coast", body="A test"),
        "daily": bulk("updates/email/daily", "daily@example.org", "daily-1:1",
                      subject="Today's prayers"),
        "signup": OutboxMessage.objects.get(kind__startswith="account/"),
        "subscribe": outbox.record(kind="updates/email/confirm", to="new.reader@example.org",
                                   subject="Confirm", body="http://testserver/updates/confirm/x"),
        "reply": outbox.send("comments/email/reply", REPLY, to="ruth@example.org"),
    }


@pytest.fixture
def editor(db):
    member = make_member(is_staff=True)
    member.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(member)
    return client


def test_editors_see_the_mail_sent_to_many_and_nothing_else(editor, mail):
    listing = editor.get("/admin/library/outboxmessage/")
    assert listing.status_code == 200
    page = listing.content.decode()
    # Each copy, its address in part: enough to tell them apart, not a list of readers.
    for seen in ("r•••@example.org", "e•••@example.org", "d•••@example.org"):
        assert seen in page
    assert "reader@example.org" not in page and "daily@example.org" not in page
    for unseen in ("new@example.org", "new.reader@example.org", "ruth@example.org",
                   "Confirm a new account", "Reply to a comment"):
        assert unseen not in page
    # Nor by filtering for them.
    page = editor.get("/admin/library/outboxmessage/",
                      {"kind__exact": mail["signup"].kind}).content.decode()
    assert "new@example.org" not in page
    # A copy's subject and how it stands; not its text, which holds that reader's own
    # links (to leave, to pray in their name).
    copy = editor.get(f"/admin/library/outboxmessage/{mail['mailing'].pk}/change/"
                      ).content.decode()
    assert "Pray for the Gulf Coast" in copy and "r•••@example.org" in copy
    assert "The letter to" not in copy and "reader@example.org" not in copy
    assert "reader@example.org" not in editor.get("/admin/library/outboxmessage/",
                                                  {"q": "reader"}).content.decode()
    assert editor.get(f"/admin/library/outboxmessage/{mail['test'].pk}/change/"
                      ).status_code == 200
    for hidden in ("signup", "subscribe", "reply"):
        response = editor.get(f"/admin/library/outboxmessage/{mail[hidden].pk}/change/")
        assert response.status_code == 404, hidden
        assert mail[hidden].body[:20] not in response.content.decode()


def test_editors_cannot_change_or_retry_mail(editor, mail):
    message = mail["mailing"]
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", error="550 gone")
    url = f"/admin/library/outboxmessage/{message.pk}/change/"
    page = editor.get(url).content.decode()
    assert "Try again" not in page and 'name="_save"' not in page
    assert editor.post(url, {"subject": "Changed"}).status_code == 403
    assert editor.post(f"/admin/library/outboxmessage/{message.pk}/try-again/"
                       ).status_code == 403
    editor.post("/admin/library/outboxmessage/", {"action": "try_again",
                                                  "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert (message.status, message.subject) == ("failed", "Pray for the Gulf Coast")


def test_editors_home_counts_only_the_failed_mail_they_can_see(editor, mail):
    OutboxMessage.objects.filter(pk=mail["signup"].pk).update(status="failed")
    assert "mails that could not be sent" not in editor.get("/admin/").content.decode()
    OutboxMessage.objects.filter(pk=mail["daily"].pk).update(status="failed")
    assert "<strong>1</strong> mail that could not be sent" in editor.get(
        "/admin/").content.decode()


def test_superusers_still_see_every_mail(client, mail):
    client.force_login(make_member(is_staff=True, is_superuser=True))
    page = client.get("/admin/library/outboxmessage/").content.decode()
    for seen in ("reader@example.org", "new@example.org", "new.reader@example.org",
                 "ruth@example.org"):
        assert seen in page
