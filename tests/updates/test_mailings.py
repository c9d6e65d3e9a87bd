"""Staff mailings: written, previewed, test-sent and sent from admin to one state's
subscribers, everyone, or those who prayed; each reader gets one copy however often
send is pressed or a worker stops mid-way."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from library.mail import outbox
from library.models import OutboxMessage
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_article, make_member
from tests.mailbox import delivered
from updates import mailings
from updates.models import Mailing, Subscriber

LETTER = {"subject": "Pray for Texas this weekend",
          "body": "Storms are coming to the **Gulf Coast**. Will you pray with us?",
          "audience": "state", "state": "", "prayer": "", "post": "", "send_at_0": "",
          "send_at_1": ""}


def reader(email, **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


def copies():
    return OutboxMessage.objects.filter(kind="updates/email/mailing").exclude(batch_key="")


def send(staff, mailing):
    """Press send, and yes on the page that asks first."""
    url = f"/admin/updates/mailing/{mailing.pk}/send/"
    page = staff.get(url).content.decode()
    return staff.post(url, dict(re.findall(
        r'<input type="hidden" name="(confirm|shown)" value="([^"]*)"', page)))


def write(staff, **fields):
    texas = State.objects.get(code="TX")
    response = staff.post("/admin/updates/mailing/add/",
                          {**LETTER, "state": texas.pk, **fields})
    return response, Mailing.objects.order_by("-pk").first()


def test_a_mailing_to_one_states_subscribers_previewed_tested_and_sent_once(staff, editor):
    texas, ohio = State.objects.get(code="TX"), State.objects.get(code="OH")
    texans = [reader(f"texan{n}@example.org", state=texas) for n in range(3)]
    reader("ohioan@example.org", state=ohio)
    reader("left@example.org", state=texas).__class__.objects.filter(
        email="left@example.org").update(left_at=timezone.now())
    response, mailing = write(staff)
    assert response.status_code == 302 and mailing.status == "draft"
    page = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "3 subscribers in this audience" in page and "Send now" in page and "Preview" in page
    preview = staff.get(f"/admin/updates/mailing/{mailing.pk}/preview/email/").content.decode()
    assert "<strong>Gulf Coast</strong>" in preview and "Pray for Texas" in preview
    staff.post(f"/admin/updates/mailing/{mailing.pk}/test/")
    (test_copy,) = delivered()
    assert test_copy.to == [editor.email] and test_copy.subject.endswith(
        "[Test] Pray for Texas this weekend")
    assert not copies().exists()  # a test counts for no one
    send(staff, mailing)
    send(staff, mailing)  # pressed twice
    mailings.fan_out()
    mailings.fan_out()
    sent = [m for m in delivered() if "[Test]" not in m.subject]
    assert sorted(m.to[0] for m in sent) == sorted(t.email for t in texans)
    assert all(m.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
               for m in sent)
    mailing.refresh_from_db()
    assert mailing.status == "sent" and mailing.recorded == 3
    page = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "3 recorded: 3 sent, 0 waiting, 0 failed" in page


def test_a_worker_that_stops_mid_mailing_sends_no_second_copy(staff):
    texas = State.objects.get(code="TX")
    for n in range(5):
        reader(f"texan{n}@example.org", state=texas)
    _, mailing = write(staff)
    mailings.start(mailing)
    mailings.fan_out(batch=2)
    # As if the worker died after recording a batch but before noting how far it got.
    Mailing.objects.filter(pk=mailing.pk).update(sent_upto=0, status="sending", done_at=None)
    mailings.fan_out(batch=2)
    assert copies().count() == 5
    assert len({m.to for m in copies()}) == 5


@pytest.mark.parametrize(("fields", "message"), [
    ({"subject": "  "}, "Please write a subject."),
    ({"body": " \n "}, "Please write the letter."),
    ({"state": ""}, "Choose the state whose subscribers get this."),
    ({"audience": "prayed"}, "Choose the prayer"),
])
def test_bad_mailings_come_back_with_a_clear_message(staff, fields, message):
    response, mailing = write(staff, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert mailing is None


def test_a_time_in_the_past_is_refused(staff):
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    response, mailing = write(staff, send_at_0=past.strftime("%Y-%m-%d"),
                              send_at_1=past.strftime("%H:%M:%S"))
    assert response.status_code == 200 and "That time has passed" in response.content.decode()


def test_an_empty_audience_is_said_before_anything_is_sent(staff):
    _, mailing = write(staff)
    page = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "Nobody yet" in page
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", follow=True)
    assert "Nobody is in this audience yet" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "draft" and not copies().exists()


def test_a_scheduled_mailing_waits_for_its_time(staff):
    texas = State.objects.get(code="TX")
    reader("texan@example.org", state=texas)
    later = timezone.localtime(timezone.now() + timedelta(hours=2))
    _, mailing = write(staff, send_at_0=later.strftime("%Y-%m-%d"),
                       send_at_1=later.strftime("%H:%M:%S"))
    send(staff, mailing)
    mailing.refresh_from_db()
    assert mailing.status == "scheduled" and not copies().exists()
    assert Schedule.objects.filter(name=f"Mailing {mailing.pk} goes out").exists()
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now())  # its time comes
    mailings.go(mailing.pk)
    assert copies().count() == 1


def test_a_mailing_stopped_and_set_later_while_its_job_waits_goes_at_its_new_time(
        staff, monkeypatch):
    from library import jobs

    reader("texan@example.org", state=State.objects.get(code="TX"))
    soon = timezone.localtime(timezone.now() + timedelta(seconds=20))
    _, mailing = write(staff, send_at_0=soon.strftime("%Y-%m-%d"),
                       send_at_1=soon.strftime("%H:%M:%S"))
    send(staff, mailing)

    def staff_move_it_meanwhile(when, **kwargs):
        # The job started early and waits for the moment; staff stop the mailing and
        # set it for an hour later.
        mailing.refresh_from_db()
        assert mailings.unschedule(mailing)
        Mailing.objects.filter(pk=mailing.pk).update(send_at=when + timedelta(hours=1))
        mailing.refresh_from_db()
        mailings.start(mailing)
        return True

    monkeypatch.setattr(jobs, "wait_until", staff_move_it_meanwhile)
    mailings.go(mailing.pk)
    mailing.refresh_from_db()
    assert mailing.status == "scheduled" and not copies().exists()


def test_those_who_prayed_for_a_post_from_the_site_or_the_inbox(staff):
    post = make_article(title="Levee watch")
    member = make_member(email="member.prayed@example.org")
    from updates.services import set_member_choices

    set_member_choices(member, daily=True, weekly=False, state=None, answered=True)
    mark_prayed(user=member, prayer=post.prayer)
    inbox = reader("inbox.prayed@example.org", daily=True)
    mark_prayed(subscriber=inbox, prayer=post.prayer)
    reader("did.not.pray@example.org", daily=True)
    _, mailing = write(staff, audience="prayed", state="", prayer=post.prayer.pk)
    mailings.start(mailing)
    mailings.fan_out()
    assert sorted(copies().values_list("to", flat=True)) == [
        "inbox.prayed@example.org", "member.prayed@example.org"]


def test_a_suppressed_address_gets_no_mailing(staff):
    texas = State.objects.get(code="TX")
    reader("bounced@example.org", state=texas)
    reader("fine@example.org", state=texas)
    outbox.suppress("BOUNCED@example.org", "bounced")
    _, mailing = write(staff)
    mailings.start(mailing)
    mailings.fan_out()
    assert list(copies().values_list("to", flat=True)) == ["fine@example.org"]


def test_editions_are_a_record_staff_cannot_delete(db):
    from updates.models import Edition

    edition = Edition.objects.create(kind="daily", since=timezone.now() - timedelta(days=1),
                                     until=timezone.now(), done_at=timezone.now())
    client = Client()
    client.force_login(make_member(is_staff=True, is_superuser=True))
    response = client.post(f"/admin/updates/edition/{edition.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Edition.objects.filter(pk=edition.pk).exists()


def test_a_letter_keeps_its_line_breaks_and_its_text_part_has_no_markup(staff):
    reader("texan@example.org", state=State.objects.get(code="TX"))
    _, mailing = write(staff, body=(
        "Join us **Thursday at 7 pm**: see [the Ohio page](http://x/states/ohio/).\n\n"
        "- bread\n- water\n\nIn His service,\nThe prayer team"))
    mailings.start(mailing)
    mailings.fan_out()
    (copy,) = copies()
    assert "In His service,<br>\nThe prayer team" in copy.html
    assert "Join us Thursday at 7 pm: see the Ohio page (http://x/states/ohio/)." in copy.body
    assert "- bread\n- water\n\nIn His service,\nThe prayer team" in copy.body
    assert "**" not in copy.body and "](" not in copy.body


def test_a_link_to_a_page_of_the_site_is_written_in_full_in_the_mail(staff, settings):
    settings.SITE_URL = "https://intercessors.example"
    reader("texan@example.org", state=State.objects.get(code="TX"))
    _, mailing = write(staff, body="Read [the Texas page](/states/texas/) tonight.")
    mailings.start(mailing)
    mailings.fan_out()
    (copy,) = copies()
    assert 'href="https://intercessors.example/states/texas/"' in copy.html
    assert "the Texas page (https://intercessors.example/states/texas/)" in copy.body
