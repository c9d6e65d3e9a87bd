"""Mail delivery with a real worker and a real SMTP server: the mail server away,
a recipient refused for good, and a worker killed in the middle of a batch."""
import time

import pytest
from django.db import transaction
from django.test import Client

from library.mail import outbox
from library.models import OutboxMessage
from tests.factories import make_article, make_comment, make_member
from tests.jobs.conftest import wait_until
from tests.partners.test_partner import pledge_form

# A real worker behaves alike on either engine: these run once, on PostgreSQL; the
# first also on SQLite, the database `make run` gives a newcomer.
pytestmark = pytest.mark.postgres_pass

REPLY = {"recipient": "Ruth", "replier": "Naomi", "body": "Praying with you.",
         "link": "http://testserver/"}


def record(addresses) -> list[OutboxMessage]:
    with transaction.atomic():  # one write, as a request makes it; the job starts on commit
        return [outbox.send("comments/email/reply", REPLY, to=a) for a in addresses]


@pytest.mark.sqlite_too
def test_with_the_mail_server_down_sign_up_a_pledge_and_a_reply_answer_normally_and_each_mail_arrives_once(  # noqa: E501
    workers, mail_server, settings
):
    """About 12 s: a real worker tries each mail while the server is away, delivers
    them once it is back, and 3 s more show that no mail arrives twice."""
    settings.PARTNER_NOTIFY_EMAIL = "team@ministry.example"
    post = make_article()
    parent = make_comment(target=post, author=make_member(email="ruth@example.org"))
    replier = make_member()
    mail_server.stop()
    worker = workers()

    signup = Client().post("/accounts/signup/", {
        "email": "new.member@example.org", "password1": "a-psalm-for-the-road-121",
        "password2": "a-psalm-for-the-road-121", "display_name": "Joanna",
    })
    assert signup.status_code == 302, signup.content[:500]
    pledge = Client().post("/partner/", pledge_form())
    assert pledge.status_code == 302 and pledge["Location"] == "/partner/thanks/"
    member = Client()
    member.force_login(replier)
    reply = member.post("/comments/post/", {"target": "articles.article", "object_id": post.pk,
                                           "body": "Amen to that.", "parent": parent.pk})
    assert reply.status_code == 302

    expected = {("account/email/email_confirmation_signup", "new.member@example.org"),
                ("partners/email/thanks", "lydia@example.org"),
                ("partners/email/staff_alert", "team@ministry.example"),
                ("comments/email/reply", "ruth@example.org")}
    assert set(OutboxMessage.objects.values_list("kind", "to")) == expected
    # The worker tried them all; they wait, the reason noted (a try is counted when
    # it starts, its reason when it fails: wait for both).
    assert wait_until(lambda: OutboxMessage.objects.filter(
        status="waiting", tries__gte=1).exclude(error="").count() == 4, 30), worker.output()
    assert "Connection refused" in OutboxMessage.objects.first().error

    mail_server.start()
    ids = set(OutboxMessage.objects.values_list("message_id", flat=True))
    mail_server.inbox.wait_for(4, timeout=40)
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 4, 10)
    time.sleep(3)  # long enough for any repeat to arrive
    received = mail_server.inbox.ids()
    assert sorted(received) == sorted(ids), worker.output()  # each once
    subjects = {m["To"]: m["Subject"] for m in mail_server.inbox.messages}
    assert subjects["ruth@example.org"] == (
        f"[Intercessors] {replier.public_name} replied to your comment")
    assert "confirm your email" in subjects["new.member@example.org"]


def test_a_recipient_refused_for_good_is_marked_failed_and_the_others_still_go(
    workers, mail_server
):
    """About 11 s, most of it the wait that shows nothing tries the refused mail again."""
    mail_server.inbox.refused.add("nobody@example.org")
    addresses = ["anna@example.org", "nobody@example.org", "simeon@example.org",
                 "lois@example.org"]
    record(addresses)
    worker = workers()

    mail_server.inbox.wait_for(3, timeout=30)
    refused = wait_until(lambda: OutboxMessage.objects.filter(
        to="nobody@example.org", status="failed").first(), 10)
    assert refused, worker.output()
    assert refused.tries == 1 and refused.error.startswith("refused 550")
    # Longer than the queue's own retry and the message's wait: nothing tries again.
    time.sleep(10)
    assert mail_server.inbox.asked_for.count("nobody@example.org") == 1
    assert sorted(m["To"] for m in mail_server.inbox.messages) == sorted(
        a for a in addresses if a != "nobody@example.org")
    assert OutboxMessage.objects.filter(status="sent").count() == 3


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(workers, mail_server):
    """About 12 s: sixty messages, a worker killed among them, another that ends the batch."""
    mail_server.inbox.delay = 0.05  # each message takes a moment to be accepted
    messages = record(f"reader{n}@example.org" for n in range(60))
    first = workers()
    assert wait_until(lambda: len(mail_server.inbox.ids()) >= 10, 30), first.output()
    first.kill()
    time.sleep(mail_server.inbox.delay + 0.5)  # a message in flight lands, or not
    received_before = set(mail_server.inbox.ids())
    marked_before = set(OutboxMessage.objects.filter(status="sent")
                        .values_list("message_id", flat=True))
    assert 10 <= len(received_before) < 60
    assert OutboxMessage.objects.filter(status="waiting", held_until__isnull=False).exists()

    second = workers()  # another worker, as on another machine
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 60, 60), (
        second.output())
    received = mail_server.inbox.ids()
    assert set(received) == {m.message_id for m in messages}  # nothing lost
    repeats = {i for i in received if received.count(i) > 1}
    # The only repeat possible: the server accepted it, and the worker died before
    # marking it sent. It keeps its Message-ID, so mail providers fold the two.
    assert repeats <= received_before - marked_before
    assert len(repeats) <= 1
    print(f"\nWORKER KILLED: {len(received_before)} of 60 accepted before the kill, "
          f"{len(marked_before)} marked sent; repeats after restart: {len(repeats)}")


def test_a_slow_mail_server_makes_a_chain_of_jobs_not_timeouts(workers, mail_server):
    """About 7 s: sixty messages through a server that takes 0.1 s for each."""
    mail_server.inbox.delay = 0.1  # 60 messages take 6 s; a job may run 3 s
    messages = record(f"reader{n}@example.org" for n in range(60))
    worker = workers(OUTBOX_LEASE="20")  # far above the job's time, as in production
    started = time.monotonic()
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 60, 40)
    took = time.monotonic() - started
    received = mail_server.inbox.ids()
    assert sorted(received) == sorted(m.message_id for m in messages)  # each once
    assert "exceeded maximum timeout" not in worker.output()
    assert took < 15  # no message sat out a lease
