"""The outbox in the suite's process: recorded with the write or not at all, tried
again later and later, dropped with a deleted account, and shown to staff without
the links of security mails. Delivery runs against a real SMTP server here too."""
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.services import delete_account
from intercessors import outbox
from intercessors.models import OutboxMessage
from tests.factories import make_member
from tests.jobs.smtp import MailServer
from tests.mailbox import delivered
from tests.net import free_port

REPLY = {"recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
         "link": "http://testserver/"}


@pytest.fixture
def smtp(settings):
    """A real SMTP server, and the site's mail going to it."""
    server = MailServer(free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


def test_a_message_is_recorded_with_its_write_or_not_at_all(db):
    from django_q.models import OrmQ

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
        raise RuntimeError("the write failed after the mail was recorded")
    assert not OutboxMessage.objects.exists() and not OrmQ.objects.exists()
    outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    [message] = OutboxMessage.objects.all()
    assert message.status == "waiting" and message.subject.endswith("replied to your comment")
    assert message.message_id.startswith("<") and message.message_id.endswith(">")


def test_one_delivery_job_is_queued_per_transaction_and_goes_with_it(db):
    from django_q.models import OrmQ

    with transaction.atomic():
        # A savepoint rolled back takes its message and its job with it…
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.send("comments/email/reply", REPLY, to="gone@example.org")
            raise RuntimeError
        assert not OrmQ.objects.exists()
        # …so the next message queues one again, and the four after it none.
        for n in range(5):
            outbox.send("comments/email/reply", REPLY, to=f"reader{n}@example.org")
    assert OrmQ.objects.count() == 1
    assert not OutboxMessage.objects.filter(to="gone@example.org").exists()


def test_a_message_keeps_its_message_id_and_goes_once(db, smtp):
    message = outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    assert outbox.deliver_waiting() == {"sent": 1, "failed": 0, "waiting": 0}
    assert outbox.deliver_waiting() == {"sent": 0, "failed": 0, "waiting": 0}
    [received] = smtp.inbox.messages
    assert received["Message-ID"] == message.message_id and received["To"] == "ruth@example.org"
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at and message.held_until is None


def test_while_the_server_is_away_each_wait_is_twice_the_last_until_the_last_try(
    db, smtp, settings
):
    settings.OUTBOX_RETRY_AFTER, settings.OUTBOX_MAX_TRIES = 60, 4
    smtp.stop()
    message = outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    waits = []
    for _ in range(3):
        started = timezone.now()
        with pytest.raises(outbox.MailServerAway):
            outbox.deliver_waiting()
        message.refresh_from_db()
        waits.append(round((message.next_try_at - started).total_seconds() / 60))
        assert outbox.deliver_waiting() == {"sent": 0, "failed": 0, "waiting": 0}  # not yet
        OutboxMessage.objects.update(next_try_at=timezone.now())  # time passes
    assert waits == [1, 2, 4]
    assert message.status == "waiting" and "Connection refused" in message.error
    with pytest.raises(outbox.MailServerAway):
        outbox.deliver_waiting()  # the fourth and last try
    message.refresh_from_db()
    assert message.status == "failed" and message.tries == 4


def test_a_4xx_answer_waits_and_a_5xx_answer_fails_for_good(db, smtp):
    async def busy(server, session, envelope, address, options):
        return "450 4.2.1 Mailbox busy, try later" if address.startswith("busy") else (
            envelope.rcpt_tos.append(address) or "250 OK")

    smtp.inbox.handle_RCPT = busy
    outbox.send("comments/email/reply", REPLY, to="busy@example.org")
    outbox.send("comments/email/reply", REPLY, to="fine@example.org")
    with pytest.raises(outbox.MailServerAway):
        outbox.deliver_waiting()
    statuses = dict(OutboxMessage.objects.values_list("to", "status"))
    assert statuses == {"busy@example.org": "waiting", "fine@example.org": "sent"}
    assert OutboxMessage.objects.get(to="busy@example.org").error.startswith("refused 450")


def test_a_worker_that_died_holding_messages_leaves_them_to_others_after_the_lease(
    db, smtp, settings
):
    outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    [held] = outbox._claim(10)  # a worker took it, then died
    assert outbox.deliver_waiting()["sent"] == 0  # others leave it alone meanwhile
    OutboxMessage.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_waiting()["sent"] == 1
    assert OutboxMessage.objects.get().tries == 2


def test_security_mail_is_erased_once_sent(client, db):
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-long-psalm-119",
                                      "password2": "a-long-psalm-119", "display_name": "Joanna"})
    message = OutboxMessage.objects.get()
    assert message.keeps == "envelope" and "/accounts/confirm-email/" in message.body
    assert message.member.email == "new@example.org"
    assert "/accounts/confirm-email/" in delivered()[0].body  # it went out whole
    message.refresh_from_db()
    assert (message.status, message.body, message.to) == ("sent", "", "new@example.org")


def test_a_deleted_account_loses_its_waiting_mail_but_gets_the_notice(db):
    member = make_member(email="leaving@example.org")
    other = make_member(email="staying@example.org")
    outbox.send("comments/email/reply", REPLY, to="leaving@example.org", member=member)
    outbox.send("comments/email/reply", REPLY, to="staying@example.org", member=other)
    delivered()
    outbox.send("comments/email/reply", REPLY, to="leaving@example.org", member=member)
    mail.outbox.clear()
    delete_account(user=member)
    sent = delivered()
    assert [(m.to, m.subject) for m in sent] == [
        (["leaving@example.org"], "[Intercessors] Your account has been deleted")]
    # Nothing in the outbox still names the account or its address.
    assert not OutboxMessage.objects.filter(to="leaving@example.org").exists()
    assert not OutboxMessage.objects.filter(member=member).exists()
    notice = OutboxMessage.objects.get(kind="accounts/email/deleted")
    assert (notice.status, notice.to, notice.body) == ("sent", "", "")
    assert OutboxMessage.objects.filter(to="staying@example.org", status="sent").exists()


def test_sign_up_answers_normally_while_the_mail_server_is_down(client, db, smtp):
    smtp.stop()
    response = client.post("/accounts/signup/", {
        "email": "new@example.org", "password1": "a-long-psalm-119",
        "password2": "a-long-psalm-119", "display_name": "Joanna"})
    assert response.status_code == 302
    assert OutboxMessage.objects.get().status == "waiting"


@pytest.fixture
def superuser(db):
    return make_member(is_staff=True, is_superuser=True)


def test_staff_see_mail_but_never_the_links_of_security_mail(client, superuser):
    Client().post("/accounts/signup/", {"email": "new@example.org",
                                        "password1": "a-long-psalm-119",
                                        "password2": "a-long-psalm-119",
                                        "display_name": "Joanna"})
    security = OutboxMessage.objects.get()
    reply = outbox.send("comments/email/reply", {**REPLY, "body": "Amen, sister."},
                        to="ruth@example.org")
    client.force_login(superuser)
    listing = client.get("/admin/intercessors/outboxmessage/").content.decode()
    assert "Confirm a new account" in listing and "Reply to a comment" in listing
    page = client.get(f"/admin/intercessors/outboxmessage/{security.pk}/change/")
    html = page.content.decode()
    assert "new@example.org" in html and "Waiting" in html
    assert "confirm-email" not in html and security.subject not in html
    assert "Amen, sister." in client.get(
        f"/admin/intercessors/outboxmessage/{reply.pk}/change/").content.decode()


def test_staff_try_a_failed_mail_again(client, superuser):
    message = outbox.send("comments/email/reply", REPLY, to="gone@example.org")
    OutboxMessage.objects.update(status="failed", tries=1, error="550 5.1.1 No such mailbox")
    client.force_login(superuser)
    home = client.get("/admin/").content.decode()
    assert "<strong>1</strong> mails that could not be sent" in home
    url = f"/admin/intercessors/outboxmessage/{message.pk}/change/"
    page = client.get(url).content.decode()
    assert "Try again" in page and "550 5.1.1 No such mailbox" in page
    try_again = f"/admin/intercessors/outboxmessage/{message.pk}/try-again/"
    assert client.get(try_again).status_code == 405
    assert client.post(try_again).status_code == 302
    message.refresh_from_db()
    assert (message.status, message.tries) == ("waiting", 0)
    assert "Try again" not in client.get(url).content.decode()


def test_only_staff_allowed_to_change_mail_may_try_it_again(client, db):
    from django.contrib.auth.models import Permission

    viewer = make_member(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    message = outbox.send("comments/email/reply", REPLY, to="gone@example.org")
    OutboxMessage.objects.update(status="failed")
    client.force_login(viewer)
    assert "Try again" not in client.get(
        f"/admin/intercessors/outboxmessage/{message.pk}/change/").content.decode()
    response = client.post(f"/admin/intercessors/outboxmessage/{message.pk}/try-again/")
    assert response.status_code == 403
    assert OutboxMessage.objects.get().status == "failed"


def test_the_backlog_command_counts_what_waits(db):
    import json

    from django.core.management import call_command

    with transaction.atomic():
        outbox.send("comments/email/reply", REPLY, to="a@example.org")
        outbox.send("comments/email/reply", REPLY, to="b@example.org")
    OutboxMessage.objects.filter(to="b@example.org").update(status="failed")
    out = io.StringIO()
    call_command("backlog", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts == {"jobs_queued": 1, "jobs_running": 0, "mail_waiting": 1,
                      "mail_waiting_oldest_seconds": 0, "mail_failed": 1}
    out = io.StringIO()
    call_command("backlog", stdout=out)
    assert "Mail waiting: 1" in out.getvalue() and "Mail failed: 1" in out.getvalue()
