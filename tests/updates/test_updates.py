"""Prayer updates by email: subscribing with double opt-in, the daily email and the
weekly digest, "I Prayed" from the inbox, and leaving with one click."""
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from library.models import OutboxMessage
from prayers.followup import add_update, tell_answered
from prayers.models import PrayerMark
from prayers.services import mark_prayed
from tests.factories import make_article, make_member, make_request
from tests.mailbox import delivered, unstamped
from updates import editions, services
from updates.models import Edition, Subscriber, Timetable

ADDRESS = "ruth.reader@example.org"


def subscribe(client=None, **fields):
    data = {"email": ADDRESS, "daily": "on", **fields}
    return (client or Client()).post("/updates/", data)


def confirmed(email=ADDRESS, **choices) -> Subscriber:
    choices = choices or {"daily": True}
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


def mails(kind):
    return OutboxMessage.objects.filter(kind=f"updates/email/{kind}").order_by("id")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def fresh_post(title="Levee holds", minutes=30):
    return make_article(title=title, published_at=timezone.now() - timedelta(minutes=minutes))


# Subscribing.

def test_the_short_forms_lead_to_the_full_form_with_the_address_kept(client, db):
    home = client.get("/").content.decode()
    assert 'action="/updates/"' in home and 'method="get"' in home
    post = fresh_post()
    assert 'action="/updates/"' in client.get(post.get_absolute_url()).content.decode()
    page = client.get("/updates/?email=ruth.reader%40example.org").content.decode()
    assert f'value="{ADDRESS}"' in page and "Subscribe" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"daily": ""}, "Please choose at least one kind of update."),
    ({"email": "not-an-address"}, "Please enter an email address like name@example.org."),
    ({"email": ""}, "This field is required."),
    ({"state": "atlantis"}, "Please choose a state from the list."),
])
def test_bad_subscriptions_come_back_with_a_message_and_what_was_typed(db, fields, message):
    response = subscribe(**fields)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    if fields.get("email", ADDRESS):
        assert f'value="{fields.get("email", ADDRESS)}"' in html
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_double_opt_in_nothing_before_confirming_and_confirming_twice_is_fine(db):
    fresh_post()
    response = subscribe(weekly="on", state="texas")
    assert response.status_code == 302 and response["Location"] == "/updates/check-your-inbox/"
    (confirmation,) = delivered()
    assert "List-Unsubscribe" not in confirmation.extra_headers  # transactional
    assert "the daily email, the weekly digest, alerts for Texas" in confirmation.body
    link = next(line for line in confirmation.body.splitlines() if "/updates/confirm/" in line)
    call_command("send_updates", "daily")
    assert not mails("daily").exists()  # not confirmed: nothing
    page = Client().get(path_of(link))
    assert page.status_code == 200 and "Confirm my subscription" in page.content.decode()
    assert Subscriber.objects.get().confirmed_at is None  # a scanner's GET changes nothing
    assert "You are subscribed" in Client().post(path_of(link)).content.decode()
    assert "You are subscribed" in Client().post(path_of(link)).content.decode()
    assert Subscriber.objects.get().is_active


def test_the_answer_is_the_same_for_a_subscribed_address_and_mail_is_limited(db):
    subscriber = confirmed()
    first = subscribe()
    assert first.status_code == 302 and first["Location"] == "/updates/check-your-inbox/"
    assert mails("already").count() == 1 and not mails("confirm").exists()
    subscriber.refresh_from_db()
    assert subscriber.is_active  # nothing changed by a stranger's form
    for _ in range(5):
        assert subscribe(email="new.one@example.org")["Location"] == "/updates/check-your-inbox/"
    assert mails("confirm").count() == 3  # at most 3 a day to one address


@pytest.mark.parametrize("token", ["made-up", "x" * 300])
def test_altered_confirmation_links_get_a_clear_page(client, db, token):
    response = client.get(f"/updates/confirm/{token}/")
    assert response.status_code == 400 and "not complete" in response.content.decode()


def test_an_expired_confirmation_link_says_so(client, db, time_machine):
    subscribe()
    link = path_of(next(line for line in delivered()[0].body.splitlines()
                        if "/updates/confirm/" in line))
    time_machine.move_to(timezone.now() + timedelta(days=8))
    response = client.post(link)
    assert response.status_code == 400 and "expired" in response.content.decode()


# What is sent.

def test_the_daily_email_goes_to_those_who_chose_it_once_for_the_period(db):
    post = fresh_post()
    daily = confirmed()
    confirmed(email="weekly.only@example.org", weekly=True)
    Subscriber.objects.create(email="unconfirmed@example.org", daily=True)
    Subscriber.objects.create(email="left@example.org", daily=True,
                              confirmed_at=timezone.now(), left_at=timezone.now())
    call_command("send_updates", "daily")
    (message,) = delivered()
    assert message.to == [ADDRESS]
    assert post.title in message.subject and post.prayer.text in message.body
    assert unstamped(services.pray_url(daily, post.prayer)) in message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert "<style" not in html and 'style="' in html and post.title in html
    assert len(message.message().as_bytes()) < 100_000
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{unstamped(daily.leave_url)}")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    call_command("send_updates", "daily")  # the same period again: nothing new
    assert mails("daily").count() == 1
    fresh_post(title="Second storm", minutes=0)
    call_command("send_updates", "daily")
    assert mails("daily").count() == 2
    assert "Second storm" in mails("daily").last().subject
    assert "Levee holds" not in mails("daily").last().body


def test_no_daily_email_on_a_day_without_posts(db):
    confirmed()
    call_command("send_updates", "daily")
    assert not Edition.objects.exists() and not mails("daily").exists()


def test_an_edition_with_no_one_to_mail_takes_no_posts_and_the_next_carries_them(
        db, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # Sunday, December 6, 6:40 am Eastern (11:40 UTC): the worker starts, and the
    # daily email is due, but nobody has subscribed yet.
    eastern = ZoneInfo("America/New_York")
    time_machine.move_to(datetime(2026, 12, 6, 6, 40, tzinfo=eastern), tick=False)
    Timetable.current()
    Timetable.objects.update(daily_at="06:30")
    post = fresh_post(title="Sunday's post", minutes=60)
    assert editions.send_due() == []
    said = io.StringIO()
    call_command("send_updates", "daily", stdout=said)  # by hand, as the README shows
    assert said.getvalue().startswith("Nobody gets the daily email yet, so nothing was sent")
    assert not Edition.objects.exists()
    # A reader subscribes; the next daily email carries the day's post.
    confirmed()
    time_machine.move_to(datetime(2026, 12, 6, 7, 10, tzinfo=eastern), tick=False)
    call_command("send_updates", "daily", stdout=said)
    assert "Daily email to 2026-12-06 07:10 EST: 1 mail recorded" in said.getvalue()
    edition = Edition.objects.get()
    assert list(edition.posts.all()) == [post]
    (message,) = delivered()
    assert "Sunday's post" in message.subject and "Sunday, December 6" in message.body
    # Named in the site's time zone, as admin shows it: 7:10 am, not 12:10.
    assert str(edition) == "Daily email to 2026-12-06 07:10 EST"


def test_a_mailbox_for_unsubscribing_only_when_set(db, settings):
    settings.UNSUBSCRIBE_MAILTO = "leave@ministry.example"
    fresh_post()
    subscriber = confirmed()
    call_command("send_updates", "daily")
    header = mails("daily").get().headers["List-Unsubscribe"]
    assert header.startswith(f"<{unstamped(subscriber.leave_url)}")
    assert header.endswith(">, <mailto:leave@ministry.example?subject=unsubscribe>")


def test_the_weekly_digest_has_the_weeks_posts_most_prayed_and_answered(db):
    post = fresh_post(title="Harvest week")
    asker = make_member()
    request = make_request(author=asker, text="Pray for my son's new job.")
    for _ in range(3):
        mark_prayed(user=make_member(), prayer=post.prayer)
    mark_prayed(user=make_member(), prayer=request)
    add_update(prayer=request, user=asker, text="He got the job!", answered=True)
    confirmed(weekly=True)
    call_command("send_updates", "weekly")
    (message,) = delivered()
    assert "Harvest week" in message.body and "MOST PRAYED THIS WEEK" in message.body
    assert "3 prayed this week" in message.body
    assert "ANSWERED PRAYERS" in message.body and "He got the job!" in message.body
    assert "1 answered" in message.subject


def test_the_schedule_sends_at_the_time_staff_set_once(db, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    eastern = ZoneInfo("America/New_York")
    time_machine.move_to(datetime(2026, 6, 9, 5, 0, tzinfo=eastern), tick=False)
    Timetable.current()
    Timetable.objects.update(daily_at="06:30")
    # The last ones went on time: yesterday's daily, Saturday's weekly.
    Timetable.objects.update(daily_done_for=timezone.now() - timedelta(hours=20),
                             weekly_done_for=timezone.now() - timedelta(hours=24))
    fresh_post()
    confirmed()
    assert editions.send_due() == []  # 5 am: yesterday's was sent
    time_machine.move_to(datetime(2026, 6, 9, 6, 40, tzinfo=eastern), tick=False)
    (edition,) = editions.send_due()
    assert edition.kind == "daily" and mails("daily").count() == 1
    assert editions.send_due() == []  # ten minutes on: sent already
    assert mails("daily").count() == 1


def test_a_mailing_goes_a_batch_at_a_time_and_never_twice(db):
    fresh_post()
    for n in range(5):
        confirmed(email=f"reader{n}@example.org")
    edition = editions.send("daily")
    assert editions.fan_out(batch=2) == 5
    assert editions.fan_out(batch=2) == 0
    edition.refresh_from_db()
    assert edition.done_at and edition.sent_count == 5 and mails("daily").count() == 5


# "I Prayed" from the inbox.

def test_praying_from_the_inbox_counts_once_and_only_on_the_button(db):
    post = fresh_post()
    subscriber = confirmed()
    path = path_of(services.pray_url(subscriber, post.prayer))
    reader = Client()
    page = reader.get(path)
    assert page.status_code == 200 and "Record my prayer" in page.content.decode()
    assert reader.get(path).status_code == 200  # a scanner opening it twice
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 0
    response = reader.post(path)
    assert response.status_code == 302 and response["Location"] == post.prayer.get_absolute_url()
    reader.post(path)
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1
    mark = PrayerMark.objects.get()
    assert mark.subscriber == subscriber and mark.user is None


def test_a_members_click_from_the_inbox_is_their_own_mark(db):
    post = fresh_post()
    member = make_member()
    subscriber = services.set_member_choices(member, daily=True, weekly=False, state=None,
                                             answered=True)
    mark_prayed(user=member, prayer=post.prayer)  # already prayed on the site
    Client().post(path_of(services.pray_url(subscriber, post.prayer)))
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1
    assert PrayerMark.objects.get().user == member


@pytest.mark.parametrize("token", ["made-up", "eyJ4Ijoi:bad:sig"])
def test_altered_pray_links_get_a_clear_page(client, db, token):
    response = client.post(f"/updates/pray/{token}/")
    assert response.status_code == 400 and "not complete" in response.content.decode()
    assert not PrayerMark.objects.exists()


def test_pray_links_last_30_days(client, db, time_machine):
    post = fresh_post()
    path = path_of(services.pray_url(confirmed(), post.prayer))
    time_machine.move_to(timezone.now() + timedelta(days=31))
    response = client.post(path)
    assert response.status_code == 400 and "more than 30 days old" in response.content.decode()
    assert not PrayerMark.objects.exists()


def test_subscribers_who_asked_hear_of_answers_to_what_they_prayed(db):
    asker = make_member()
    request = make_request(author=asker)
    hears = confirmed(answered=True, daily=False)
    silent = confirmed(email="silent@example.org", daily=True)
    for subscriber in (hears, silent):
        mark_prayed(subscriber=subscriber, prayer=request)
    add_update(prayer=request, user=asker, text="All is well.", answered=True)
    assert tell_answered() == 1
    (message,) = delivered()
    assert message.to == [ADDRESS] and unstamped(hears.leave_url) in message.body


# Leaving.

def test_one_click_unsubscribe_leaves_at_once_and_nothing_more_is_sent(db):
    subscriber = confirmed()
    path = path_of(subscriber.leave_url)
    # As a mail program sends it: no session, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None
    fresh_post()
    call_command("send_updates", "daily")
    assert not mails("daily").exists()


def test_the_leave_page_changes_choices_and_its_link_never_expires(db, time_machine):
    subscriber = confirmed()
    path = path_of(subscriber.leave_url)
    time_machine.move_to(timezone.now() + timedelta(days=800))
    client = Client()
    page = client.get(path).content.decode()
    assert "You get the daily email" in page and "Unsubscribe from everything" in page
    client.post(path, {"weekly": "on", "state": "ohio"})
    subscriber.refresh_from_db()
    assert (subscriber.daily, subscriber.weekly, subscriber.state.slug) == (False, True, "ohio")
    assert client.post(path, {}).status_code == 400  # nothing chosen: say so, change nothing
    client.post(path, {"leave": "1"})
    subscriber.refresh_from_db()
    assert subscriber.left_at is not None
    assert client.get("/updates/leave/made-up/").status_code == 400


# Members.

def test_a_member_subscribes_from_the_profile_and_mail_follows_their_address(db):
    fresh_post()
    member = make_member(email="first@example.org")
    client = Client()
    client.force_login(member)
    assert "Prayer updates by email" in client.get("/accounts/profile/").content.decode()
    response = client.post("/updates/mine/", {"updates-daily": "on"})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(member=member)
    assert subscriber.is_active and not mails("confirm").exists()
    member.email = "second@example.org"
    member.save()
    call_command("send_updates", "daily")
    assert mails("daily").get().to == "second@example.org"
    assert "You get the daily email" in client.get("/accounts/profile/").content.decode()
    # The answered choice on the subscription page is the profile's one setting.
    Client().post(path_of(subscriber.leave_url), {"daily": "on"})
    member.refresh_from_db()
    assert member.notify_answered is False


def test_no_page_about_updates_prints_an_address(db):
    subscriber = confirmed()
    pages = [Client().get(path_of(subscriber.leave_url)).content.decode(),
             Client().get("/updates/check-your-inbox/").content.decode()]
    for html in pages:
        assert ADDRESS not in html


def test_deleting_an_account_ends_its_prayer_updates(db):
    from accounts.services import delete_account

    member = make_member()
    services.set_member_choices(member, daily=True, weekly=True, state=None, answered=True)
    delete_account(user=member)
    assert not Subscriber.objects.exists()


def test_the_first_daily_email_does_not_mail_out_the_archive(db):
    confirmed()
    fresh_post(title="Two days old", minutes=2 * 24 * 60)
    call_command("send_updates", "daily")
    assert not mails("daily").exists()  # nothing from the last day
    fresh_post(title="This morning")
    call_command("send_updates", "daily")
    (message,) = mails("daily")
    assert "This morning" in message.subject and "TWO DAYS OLD" not in message.body
