"""The relay: a reader writes to someone whose address they never see."""
from django.db import transaction

from library.mail import relay
from library.models import Letter, OutboxMessage
from tests.mailbox import delivered


def write(**overrides):
    fields = {"kind": "coordinator", "to": "coordinator@state.example",
              "sender_name": "Ruth Moab", "reply_to": "ruth@example.org",
              "subject": "Joining the call", "body": "May I join Tuesday's call?"}
    fields.update(overrides)
    return relay.relay(**fields)


def test_a_letter_reaches_its_recipient_with_the_senders_reply_to(db):
    letter = write(copy_to_sender=False)
    assert letter.status == Letter.Status.SENT and letter.kind == "coordinator"
    (mail,) = delivered()
    assert mail.to == ["coordinator@state.example"]
    assert mail.extra_headers["Reply-To"] == "ruth@example.org"
    assert "May I join Tuesday's call?" in mail.body


def test_a_letter_with_a_link_is_held_and_sent_on_once(db, django_user_model):
    letter = write(body="My church: https://church.example")
    assert letter.status == Letter.Status.HELD and OutboxMessage.objects.count() == 0
    assert relay.send_on(Letter.objects.all(), by=None) == 1
    assert relay.send_on(Letter.objects.all(), by=None) == 0
    assert OutboxMessage.objects.count() == 2


def test_the_letter_and_its_mail_commit_together_or_not_at_all(db):
    try:
        with transaction.atomic():
            write()
            raise RuntimeError("the write fails after the letter")
    except RuntimeError:
        pass
    assert Letter.objects.count() == 0 and OutboxMessage.objects.count() == 0
