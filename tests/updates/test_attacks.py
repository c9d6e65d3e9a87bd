"""Attacks on and mistakes in prayer updates by email, found in review: each test
failed before its fix."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from library.models import OutboxMessage
from prayers.followup import add_update, send_digests, tell_answered
from prayers.models import PrayerMark
from prayers.services import mark_prayed
from tests.factories import make_article, make_member, make_request
from updates import editions, services
from updates.models import Edition, Subscriber, Timetable

EASTERN = ZoneInfo("America/New_York")


def mails(kind):
    return OutboxMessage.objects.filter(kind=f"updates/email/{kind}").order_by("id")


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def confirmed(email="ruth@example.org", **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(),
                                     **(choices or {"daily": True}))


# 1. Mail bombing / relay: no per-client limit on POST /updates/.
def test_one_client_cannot_send_unlimited_confirmation_mails(db):
    client = Client()
    for n in range(30):
        client.post("/updates/", {"email": f"victim+{n}@example.org", "daily": "on"})
    assert mails("confirm").count() <= 10, mails("confirm").count()


# 2. A member who also subscribed by address gets every edition twice.
def test_member_and_address_subscription_get_one_copy(db):
    make_article(title="Levee", published_at=timezone.now() - timedelta(minutes=5))
    member = make_member(email="hannah@example.org")
    services.set_member_choices(member, daily=True, weekly=False, state=None, answered=False)
    confirmed(email="Hannah@Example.org", daily=True)  # subscribed by address earlier
    call_command("send_updates", "daily")
    tos = [m.to.lower() for m in mails("daily")]
    assert tos.count("hannah@example.org") == 1, tos


# 3. After a daily slot with no posts, the first later post is mailed at once
#    (at the next 10-minute tick), off the timetable.
def test_daily_email_waits_for_the_timetable_after_an_empty_day(db, time_machine):
    time_machine.move_to(datetime(2026, 6, 9, 6, 5, tzinfo=EASTERN), tick=False)
    Timetable.current()
    Edition.objects.create(kind="daily", since=timezone.now() - timedelta(days=2),
                           until=timezone.now() - timedelta(days=1), done_at=timezone.now())
    Edition.objects.create(kind="weekly", since=timezone.now() - timedelta(days=2),
                           until=timezone.now() - timedelta(days=1), done_at=timezone.now())
    confirmed()
    assert editions.send_due() == []  # 6:05, no posts: nothing (right)
    time_machine.move_to(datetime(2026, 6, 9, 14, 0, tzinfo=EASTERN), tick=False)
    make_article(title="Afternoon post", published_at=timezone.now())
    time_machine.move_to(datetime(2026, 6, 9, 14, 10, tzinfo=EASTERN), tick=False)
    sent = editions.send_due()
    assert [e.kind for e in sent] == [], "daily email sent at 14:10, not at 06:00"


# 4. A post published later than its published_at (a draft made public) is never mailed.
def test_a_draft_published_after_an_edition_is_still_mailed(db, time_machine):
    from articles.services import save_post
    confirmed()
    draft = make_article(title="Written Monday", status="draft",
                         published_at=timezone.now() - timedelta(hours=3))
    make_article(title="Other", published_at=timezone.now() - timedelta(hours=1))
    call_command("send_updates", "daily")
    assert mails("daily").count() == 1
    time_machine.move_to(timezone.now() + timedelta(hours=2), tick=False)
    draft.status = "published"  # as the admin form does: status changed, time kept
    draft.save()
    save_post(article=draft)
    time_machine.move_to(timezone.now() + timedelta(days=1), tick=False)
    call_command("send_updates", "daily")
    assert any("written monday" in m.body.lower() for m in mails("daily")), "post never mailed"


# 5. Requesters' daily word drops subscribers' marks (exclude(user_id=F(...)) with NULL).
def test_the_daily_word_counts_prayers_from_the_inbox(db, time_machine):
    asker = make_member()
    request = make_request(author=asker)
    request.daily_mail = True
    request.save()
    yesterday = timezone.localdate() - timedelta(days=1)
    moment = timezone.make_aware(datetime.combine(yesterday, datetime.min.time())) + \
        timedelta(hours=12)
    mark_prayed(subscriber=confirmed(), prayer=request)
    mark_prayed(user=make_member(), prayer=request)
    PrayerMark.objects.update(created_at=moment)
    send_digests(day=yesterday)
    digest = OutboxMessage.objects.filter(to=asker.email).order_by("-id").first()
    assert digest is not None
    from prayers.models import PrayedDigest
    assert PrayedDigest.objects.get(member=asker).prayers == 2


# 6. Removing a subscriber (admin "remove an address on request") left the counter high.
def test_removing_a_subscriber_keeps_the_counter_true(db):
    post = make_article(published_at=timezone.now() - timedelta(minutes=5))
    subscriber = confirmed()
    mark_prayed(subscriber=subscriber, prayer=post.prayer)
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    staff.post(f"/admin/updates/subscriber/{subscriber.pk}/delete/", {"post": "yes"})
    assert not Subscriber.objects.exists()
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == PrayerMark.objects.filter(prayer=post.prayer).count()


# 7. A member's one-click unsubscribe leaves "answered prayer" mails on.
def test_a_members_one_click_leave_stops_every_update(db):
    asker = make_member()
    request = make_request(author=asker)
    member = make_member()
    sub = services.set_member_choices(member, daily=True, weekly=False, state=None,
                                      answered=True)
    member.notify_answered = True
    member.save()
    Client().post(path_of(sub.leave_url), "List-Unsubscribe=One-Click",
                  content_type="application/x-www-form-urlencoded")
    mark_prayed(user=member, prayer=request)
    add_update(prayer=request, user=asker, text="Answered!", answered=True)
    assert tell_answered() == 0, "unsubscribed member still mailed about answers"


# 8. An old confirmation link, after leaving, claims "You are subscribed".
def test_old_confirm_link_after_leaving_does_not_claim_subscribed(db):
    sub = confirmed()
    token = services.confirm_token(sub)
    services.leave(sub)
    html = Client().post(f"/updates/confirm/{token}/").content.decode()
    sub.refresh_from_db()
    assert not ("You are subscribed" in html and not sub.is_active)


# 9. Salts: tokens of one purpose do not work for another.
def test_tokens_do_not_cross_purposes(db):
    sub = confirmed()
    assert Client().post(f"/updates/confirm/{sub.leave_token}/").status_code == 400
    assert Client().post(f"/updates/leave/{services.confirm_token(sub)}/",
                         {"leave": "1"}).status_code == 400


@pytest.mark.parametrize("token", ["%00", "%C3%A9", "a" * 5000, "..", "a:b:c", ".eJy"])
def test_odd_tokens_are_4xx(db, token):
    for url in ("confirm", "pray", "leave"):
        assert 400 <= Client().post(f"/updates/{url}/{token}/").status_code < 500


@pytest.mark.parametrize("state", ["\x00", "a" * 10000, "ohio'--", "🙏"])
def test_odd_state_values_are_4xx(db, state):
    r = Client().post("/updates/", {"email": "x@example.org", "daily": "on", "state": state})
    assert r.status_code == 400


@pytest.mark.parametrize("email", ["a" * 300 + "@example.org", "x@exämple.org",
                                   "x@example.org\x00", "\u0130@example.org",
                                   "x@" + "a" * 250 + ".org", " x@example.org "])
def test_odd_emails_are_not_500(db, email):
    r = Client().post("/updates/", {"email": email, "daily": "on"})
    assert r.status_code in (302, 400)
    r = Client().get("/updates/", {"email": email})
    assert r.status_code == 200


# 10. Two submissions of a new address at once: the loser hits the unique
#     constraint inside subscribe() and the visitor gets a 500.
def test_concurrent_first_subscribe_is_not_a_500(db, monkeypatch):
    from django.db.models import QuerySet
    real_first = QuerySet.first

    def first(self):
        found = real_first(self)
        if self.model is Subscriber and found is None:
            # the other request's row commits between our read and our insert
            Subscriber.objects.create(email="race@example.org", daily=True)
        return found
    monkeypatch.setattr(QuerySet, "first", first)
    client = Client(raise_request_exception=False)
    r = client.post("/updates/", {"email": "race@example.org", "daily": "on"})
    assert r.status_code in (302, 400), r.status_code


def test_member_who_also_subscribed_by_address_is_counted_once(db):
    post = make_article(published_at=timezone.now() - timedelta(minutes=5))
    member = make_member(email="hannah@example.org")
    by_address = confirmed(email="hannah@example.org")
    Client().post(path_of(services.pray_url(by_address, post.prayer)))  # logged out, from inbox
    mark_prayed(user=member, prayer=post.prayer)  # later, on the site
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1, post.prayer.prayed_count
