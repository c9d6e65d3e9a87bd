"""The outbox in the suite's process: recorded with the write or not at all, tried
again later and later, dropped with a deleted account, and shown to staff without
the links of security mails. Delivery runs against a real SMTP server here too."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.services import delete_account
from library.mail import outbox
from library.models import OutboxMessage
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
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
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


def test_a_4xx_for_one_recipient_waits_alone_and_a_5xx_fails_for_good(db, smtp):
    async def answer(server, session, envelope, address, options):
        if address.startswith("busy"):  # greylisting: "come back later"
            return "450 4.2.1 Mailbox busy, try later"
        if address.startswith("gone"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.inbox.handle_RCPT = answer
    for to in ("busy@example.org", "gone@example.org", "fine@example.org"):
        outbox.send("comments/email/reply", REPLY, to=to)
    # One recipient's "later" holds up no one else, and the run is not a failure.
    assert outbox.deliver_waiting() == {"sent": 1, "failed": 1, "waiting": 1}
    statuses = dict(OutboxMessage.objects.values_list("to", "status"))
    assert statuses == {"busy@example.org": "waiting", "gone@example.org": "failed",
                        "fine@example.org": "sent"}
    assert OutboxMessage.objects.get(to="busy@example.org").error.startswith("refused 450")
    assert OutboxMessage.objects.get(to="gone@example.org").error.startswith("refused 550")


def test_a_worker_that_died_holding_messages_leaves_them_to_others_after_the_lease(
    db, smtp, settings
):
    outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    token, [held] = outbox._claim(10)  # a worker took it, then died
    assert outbox.deliver_waiting()["sent"] == 0  # others leave it alone meanwhile
    OutboxMessage.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_waiting()["sent"] == 1
    assert OutboxMessage.objects.get().tries == 2


def test_a_run_that_lost_its_lease_sends_nothing_more(db, smtp):
    outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    slow = outbox._claim(10)  # a worker whose batch outlives the lease…
    OutboxMessage.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_waiting()["sent"] == 1  # …so another takes and sends it
    outcome, away = outbox._send_all(*slow, out_of_time=lambda: False)
    assert outcome == {"sent": 0, "failed": 0, "waiting": 0} and not away
    assert len(smtp.inbox.messages) == 1  # sent once


def test_a_message_deleted_while_a_worker_holds_it_does_not_stop_the_others(db, smtp):
    leaving = make_member(email="leaving@example.org")
    outbox.send("comments/email/reply", REPLY, to="leaving@example.org", member=leaving)
    outbox.send("comments/email/reply", REPLY, to="staying@example.org")
    claimed = outbox._claim(10)
    delete_account(user=leaving)  # the member leaves while the worker holds both
    outbox._send_all(*claimed, out_of_time=lambda: False)
    assert OutboxMessage.objects.get(to="staying@example.org").status == "sent"
    assert [m["To"] for m in smtp.inbox.messages] == ["staying@example.org"]


def test_a_run_out_of_time_hands_the_rest_to_the_next_job(db, smtp, settings):
    from django_q.models import OrmQ

    with transaction.atomic():
        for n in range(3):
            outbox.send("comments/email/reply", REPLY, to=f"reader{n}@example.org")
    OrmQ.objects.all().delete()
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 0}  # out of time at once
    assert outbox.deliver_waiting()["sent"] == 0
    assert OrmQ.objects.count() == 1  # the next job, queued for the rest
    assert list(OutboxMessage.objects.order_by().values_list("tries", "held_by", "status")
                .distinct()) == [
        (0, "", "waiting")]
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 120}
    assert outbox.deliver_waiting()["sent"] == 3


def test_the_lease_must_outlast_a_job(settings):
    settings.OUTBOX_LEASE = 60
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 120}
    [error] = outbox.check_lease()
    assert error.id == "library.E001" and "OUTBOX_LEASE (60 s)" in error.msg
    settings.OUTBOX_LEASE = 600
    assert outbox.check_lease() == []


def test_the_text_of_old_mail_is_erased(db, smtp):
    outbox.send("comments/email/reply", REPLY, to="ruth@example.org")
    outbox.deliver_waiting()
    assert outbox.forget_old_text() == 0
    OutboxMessage.objects.update(sent_at=timezone.now() - timedelta(days=31))
    assert outbox.forget_old_text() == 1
    message = OutboxMessage.objects.get()
    assert (message.body, message.to, message.status) == ("", "ruth@example.org", "sent")


def test_security_mail_is_erased_once_sent(client, db):
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-long-psalm-119",
                                      "password2": "a-long-psalm-119", "display_name": "Joanna"})
    message = OutboxMessage.objects.get()
    assert message.keeps == "envelope" and "/accounts/confirm-email/" in message.body
    assert message.member.email == "new@example.org"
    assert "/accounts/confirm-email/" in delivered()[0].body  # it went out whole
    message.refresh_from_db()
    assert (message.status, message.body, message.to) == ("sent", "", "new@example.org")


def test_django_and_allauth_mail_reach_the_outbox_through_the_email_backend(client, db):
    from django.core.mail import send_mail

    from accounts.adapter import AccountAdapter

    assert "send_mail" not in vars(AccountAdapter)  # no way around the backend
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-long-psalm-119",
                                      "password2": "a-long-psalm-119", "display_name": "Joanna"})
    with transaction.atomic():
        send_mail("A note", "Plain words.", None, ["friend@example.org", "Other@Example.org"])
    confirmation, *notes = OutboxMessage.objects.order_by("id")
    assert confirmation.kind == "account/email/email_confirmation_signup"
    assert confirmation.get_kind_display() == "Confirm a new account"
    assert [(m.kind, m.to, m.keeps) for m in notes] == [
        ("site mail", "friend@example.org", "envelope"),
        ("site mail", "Other@Example.org", "envelope")]
    assert not mail.outbox  # nothing went around the outbox
    sent = delivered()
    assert [m.to for m in sent] == [["new@example.org"], ["friend@example.org"],
                                    ["Other@Example.org"]]
    # The kind stays in the site; each copy keeps the Message-ID it was given.
    assert all("X-Site-Mail-Kind" not in m.message() for m in sent)
    assert sent[1].extra_headers["Message-ID"] == notes[0].message_id


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


def test_mail_to_an_address_before_it_had_an_account_goes_with_the_account(db):
    Client().post("/accounts/password/reset/", {"email": "later@example.org"})
    delivered()  # "no account for this address": no member to link it to
    member = make_member(email="Later@Example.org")
    delete_account(user=member)
    delivered()
    assert not OutboxMessage.objects.filter(to__iexact="later@example.org").exists()


def test_the_servers_words_about_an_address_go_with_the_account(db, smtp):
    async def refuse(server, session, envelope, address, options):
        return f"550 5.1.1 <{address}>: Recipient address rejected"

    smtp.inbox.handle_RCPT = refuse
    member = make_member(email="leaving@example.org")
    outbox.send("comments/email/reply", REPLY, to=member.email, member=member)
    outbox.deliver_waiting()
    assert "leaving@example.org" in OutboxMessage.objects.get().error
    delete_account(user=member)
    outbox.deliver_waiting()  # the notice is refused too
    assert not [m for m in OutboxMessage.objects.all()
                if "leaving@" in m.error or "leaving@" in m.to]
    notice = OutboxMessage.objects.get(kind="accounts/email/deleted")
    assert (notice.status, notice.to, notice.body) == ("failed", "", "")
    assert outbox.try_again(OutboxMessage.objects.all()) == 0  # nothing left to send


def test_staff_alerts_carry_no_partner_names(db, settings):
    from partners.services import create_pledge

    settings.PARTNER_NOTIFY_EMAIL = "team@ministry.example"
    create_pledge(first_name="Lydia", last_name="Purple", email="lydia@example.org",
                  amount=Decimal("50"), frequency="monthly")
    alert = OutboxMessage.objects.get(kind="partners/email/staff_alert")
    assert "Purple" not in alert.body and "lydia@" not in alert.body
    assert "/admin/partners/partnerpledge/" in alert.body


def test_try_again_never_sends_a_message_without_an_address(db, smtp):
    member = make_member(email="gone@example.org")
    outbox.send("comments/email/reply", REPLY, to=member.email, member=member)
    OutboxMessage.objects.update(status="failed", error="550 no such mailbox")
    delete_account(user=member)
    assert outbox.try_again(OutboxMessage.objects.filter(kind="comments/email/reply")) == 0
    # Even put back by hand, it fails rather than counting as sent.
    OutboxMessage.objects.filter(kind="comments/email/reply").update(status="waiting")
    outbox.deliver_waiting()
    reply = OutboxMessage.objects.get(kind="comments/email/reply")
    assert reply.status == "failed" and "No recipient" in reply.error


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
    listing = client.get("/admin/library/outboxmessage/").content.decode()
    assert "Confirm a new account" in listing and "Reply to a comment" in listing
    page = client.get(f"/admin/library/outboxmessage/{security.pk}/change/")
    html = page.content.decode()
    assert "new@example.org" in html and "Waiting" in html
    assert "confirm-email" not in html and security.subject not in html
    assert "Amen, sister." in client.get(
        f"/admin/library/outboxmessage/{reply.pk}/change/").content.decode()


def test_staff_cannot_read_a_security_mail_by_filtering_the_list(client, db):
    from django.contrib.auth.models import Permission

    victim = make_member(email="pastor@example.org", is_staff=True, is_superuser=True)
    Client().post("/accounts/password/reset/", {"email": victim.email})
    assert OutboxMessage.objects.get().status == "waiting"  # the mail server is slow
    viewer = make_member(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    for probe in ({"body__contains": "/accounts/password/reset/key/"},
                  {"subject__contains": "Password"}, {"html__startswith": "<"},
                  {"message_id__contains": "@"}):
        assert client.get("/admin/library/outboxmessage/", probe).status_code == 400
    listing = client.get("/admin/library/outboxmessage/", {"status__exact": "waiting"})
    assert listing.status_code == 200 and "Password reset link" in listing.content.decode()
    # Nor can anyone delete a notice before it goes.
    client.force_login(victim)
    page = client.get(f"/admin/library/outboxmessage/{OutboxMessage.objects.get().pk}"
                      "/delete/")
    assert page.status_code == 403


def test_staff_try_a_failed_mail_again(client, superuser):
    message = outbox.send("comments/email/reply", REPLY, to="gone@example.org")
    OutboxMessage.objects.update(status="failed", tries=1, error="550 5.1.1 No such mailbox")
    client.force_login(superuser)
    home = client.get("/admin/").content.decode()
    assert "<strong>1</strong> mail that could not be sent" in home
    url = f"/admin/library/outboxmessage/{message.pk}/change/"
    page = client.get(url).content.decode()
    assert "Try again" in page and "550 5.1.1 No such mailbox" in page
    try_again = f"/admin/library/outboxmessage/{message.pk}/try-again/"
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
        f"/admin/library/outboxmessage/{message.pk}/change/").content.decode()
    response = client.post(f"/admin/library/outboxmessage/{message.pk}/try-again/")
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
