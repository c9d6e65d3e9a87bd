"""Staff cannot send the wrong thing: sending asks first, naming who gets it and how
many; a send that did not come from that page sends nothing; a scheduled mailing
can be stopped until its time; the preview is the mail as it will look."""
import re
from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from library.mail import outbox
from library.models import OutboxMessage
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_article, make_member
from updates import mailings
from updates.models import Mailing, Subscriber


def reader(email, **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


def letter(**fields):
    fields = {"subject": "Pray for Texas this weekend", "body": "Storms are coming.",
              "audience": "state", "state": State.objects.get(code="TX"), **fields}
    mailing = Mailing.objects.create(**fields)
    mailings.render(mailing)
    mailing.save()
    return mailing


def sent_copies():
    return OutboxMessage.objects.filter(kind="updates/email/mailing").exclude(batch_key="")


def confirmation(staff, mailing):
    """The confirmation page, and the hidden fields its form sends back."""
    response = staff.get(f"/admin/updates/mailing/{mailing.pk}/send/")
    page = response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(confirm|shown)" value="([^"]*)"',
                             page))
    return response, page, fields


def test_reach_is_what_the_mailing_will_actually_mail(db):
    texas = State.objects.get(code="TX")
    reader("one@example.org", state=texas)
    reader("two@example.org", state=texas)
    reader("bounced@example.org", state=texas)
    outbox.suppress("bounced@example.org", "bounced")
    closed = make_member(email="closed@example.org", is_active=False)
    Subscriber.objects.create(email=closed.email, member=closed, state=texas,
                              confirmed_at=timezone.now())
    reader("left@example.org", state=texas, left_at=timezone.now())
    reader("ohio@example.org", state=State.objects.get(code="OH"))
    mailing = letter()
    assert mailings.audience(mailing).count() == 4
    assert mailings.reach(mailing) == 2
    assert mailings.reach(mailing, batch=1) == 2  # the same, a reader at a time
    mailings.start(mailing)
    mailings.fan_out()
    assert sent_copies().count() == 2


def test_send_asks_first_naming_the_audience_and_how_many_it_reaches(staff):
    texas = State.objects.get(code="TX")
    for n in range(2):
        reader(f"texan{n}@example.org", state=texas)
    mailing = letter()
    change = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    # The change form's button only leads to the question; it sends nothing itself.
    assert f'<a href="/admin/updates/mailing/{mailing.pk}/send/"' in change
    assert f'action="/admin/updates/mailing/{mailing.pk}/send/"' not in change
    response, page, fields = confirmation(staff, mailing)
    assert response.status_code == 200
    assert "This goes to 2 subscribers in Texas." in page
    assert "Pray for Texas this weekend" in page and fields["confirm"] == "2"
    assert not OutboxMessage.objects.exists()
    mailing.refresh_from_db()
    assert mailing.status == "draft"


def test_every_audience_is_named_in_words(staff):
    texas = State.objects.get(code="TX")
    reader("a@example.org", state=texas)
    reader("b@example.org")
    _, page, _ = confirmation(staff, letter(audience="everyone", state=None))
    assert "This goes to every subscriber (2)." in page
    post = make_article(title="Levee watch")
    prayed = reader("prayed@example.org")
    mark_prayed(subscriber=prayed, prayer=post.prayer)
    _, page, _ = confirmation(staff, letter(audience="prayed", state=None, prayer=post.prayer))
    assert f"This goes to the 1 subscriber who prayed for “{post.prayer}”." in page


def test_a_send_that_did_not_come_from_the_confirmation_page_sends_nothing(staff):
    texas = State.objects.get(code="TX")
    reader("texan@example.org", state=texas)
    mailing = letter()
    url = f"/admin/updates/mailing/{mailing.pk}/send/"
    response = staff.post(url)  # the old one-click form, or a forged one
    assert response.status_code == 302 and response.url == url
    _, page, fields = confirmation(staff, mailing)
    assert "Nothing was sent" in page
    assert staff.post(url, {"confirm": "1", "shown": "made-up"}).url == url
    reader("newcomer@example.org", state=texas)  # the audience grew since the page showed
    response = staff.post(url, fields, follow=True)
    page = response.content.decode()
    assert "This goes to 2 subscribers in Texas." in page and "now 2, not 1" in page
    mailing.refresh_from_db()
    assert mailing.status == "draft" and not sent_copies().exists()
    _, _, fields = confirmation(staff, mailing)
    response = staff.post(url, fields, follow=True)
    assert "Sending now" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "sending"


def test_a_mailing_changed_since_the_page_showed_is_asked_about_again(staff, editor):
    reader("texan@example.org", state=State.objects.get(code="TX"))
    mailing = letter()
    _, _, fields = confirmation(staff, mailing)
    Mailing.objects.filter(pk=mailing.pk).update(subject="A different letter")
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields, follow=True)
    assert "changed since" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "draft"


def test_nobody_to_send_to_is_said_and_nothing_is_asked(staff):
    mailing = letter()
    response = staff.get(f"/admin/updates/mailing/{mailing.pk}/send/", follow=True)
    page = response.content.decode()
    assert "Nobody is in this audience yet" in page and 'name="confirm"' not in page
    reader("gone@example.org", state=State.objects.get(code="TX"))
    outbox.suppress("gone@example.org", "bounced")
    page = staff.get(f"/admin/updates/mailing/{mailing.pk}/send/", follow=True
                     ).content.decode()
    assert "No one in this audience can be mailed" in page and 'name="confirm"' not in page


def test_a_scheduled_mailing_names_its_time_and_can_be_stopped_until_then(staff):
    reader("texan@example.org", state=State.objects.get(code="TX"))
    at = timezone.now() + timedelta(days=2)
    mailing = letter(send_at=at)
    _, page, fields = confirmation(staff, mailing)
    local = timezone.localtime(at)
    assert f"{local:%A}, {local:%B} {local.day}, {local.year} at" in page
    assert "(America/New_York)" in page
    staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields)
    mailing.refresh_from_db()
    assert mailing.status == "scheduled"
    change = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "Stop this mailing" in change
    assert staff.get(f"/admin/updates/mailing/{mailing.pk}/unschedule/").status_code == 405
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/unschedule/", follow=True)
    assert "Stopped" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "draft"
    assert not Schedule.objects.filter(name=f"Mailing {mailing.pk} goes out").exists()


def test_once_its_time_has_passed_a_mailing_cannot_be_stopped(staff):
    reader("texan@example.org", state=State.objects.get(code="TX"))
    mailing = letter(send_at=timezone.now() + timedelta(hours=1))
    mailings.start(mailing)
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now() - timedelta(seconds=5))
    change = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert "Stop this mailing" not in change and "can no longer be stopped" in change
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/unschedule/", follow=True)
    assert "can no longer be stopped" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == "scheduled"
    assert mailings.unschedule(mailing) is False


def test_the_preview_is_the_mail_in_a_sandboxed_frame_under_its_own_policy(staff, client):
    mailing = letter(body="Join us **Thursday at 7 pm**.\n\nIn His service,\nThe prayer team")
    preview = staff.get(f"/admin/updates/mailing/{mailing.pk}/preview/")
    page = preview.content.decode()
    frame = f"/admin/updates/mailing/{mailing.pk}/preview/email/"
    assert re.search(rf'<iframe [^>]*sandbox=""[^>]*src="{frame}"', page)
    assert "allow-scripts" not in page
    assert "<pre" in page and "Join us Thursday at 7 pm." in page  # the text part
    # The admin page keeps the site's policy: no inline style, framed by no one.
    assert "'unsafe-inline'" not in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "DENY"
    email = staff.get(frame)
    policy = email["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "sandbox" in policy
    assert email["X-Frame-Options"] == "SAMEORIGIN"
    html = email.content.decode()
    assert html.startswith("<!DOCTYPE html>") and "<strong>Thursday at 7 pm</strong>" in html
    assert "In His service,<br>\nThe prayer team" in html
    assert client.get(frame).status_code == 302  # staff only, as all of admin
