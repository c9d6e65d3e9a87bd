"""After a request is asked: updates and answers, the word to everyone who prayed,
the requester's daily count, expiry with its reminder, and "My prayers"."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.services import export_member_data
from library.models import OutboxMessage
from prayers import followup
from prayers.models import PrayedDigest, Prayer
from prayers.services import delete_request, mark_prayed
from tests.factories import make_article, make_member, make_request
from tests.mailbox import delivered

NOTE = "The scan came back clear. Thank you all for praying!"
EASTERN = ZoneInfo("America/New_York")


@pytest.fixture
def request_(asker, texas):
    return make_request(author=asker, state=texas, text="Please pray for my sister's scan.")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def update(client, prayer, text=NOTE, **fields):
    return client.post(f"/prayers/requests/{prayer.pk}/update/", {"text": text, **fields})


def mails(kind):
    return OutboxMessage.objects.filter(kind=f"prayers/email/{kind}")


# Updates and answers.

def test_the_requester_adds_an_update_which_keeps_it_on_the_wall(asker, request_):
    Prayer.objects.filter(pk=request_.pk).update(
        expires_at=timezone.now() + timedelta(days=2))
    client = logged_in(asker)
    response = update(client, request_, text="Surgery is set for **Thursday**.")
    assert response.status_code == 302
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "<strong>Thursday</strong>" in page and "Your update has been added" in page
    request_.refresh_from_db()
    assert request_.expires_at > timezone.now() + timedelta(days=29)
    assert not request_.is_answered
    assert "Thursday" in Client().get(request_.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("text", "message"), [
    ("", "This field is required."),
    ("   \u200b\u200b  ", "Please write something"),
    ("x" * 501, "500"),
])
def test_a_bad_update_comes_back_with_its_message_and_text(asker, request_, text, message):
    response = update(logged_in(asker), request_, text=text, answered="on")
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    if text.strip():
        assert text[:40] in html
    request_.refresh_from_db()
    assert not request_.is_answered and request_.updates_html == ""


def test_nobody_else_updates_or_answers_a_request(request_):
    for user in (make_member(), make_member(is_staff=True, is_superuser=True)):
        assert update(logged_in(user), request_, answered="on").status_code == 403
    request_.refresh_from_db()
    assert not request_.is_answered
    assert update(Client(), request_).status_code == 302  # to log in
    assert Client().get(f"/prayers/requests/{request_.pk}/update/").status_code == 302


def test_an_answered_request_moves_to_the_answered_view_and_everyone_who_prayed_is_told(
        asker, request_, django_capture_on_commit_callbacks):
    praying = [make_member(display_name=f"Pray-er {n}") for n in range(3)]
    quiet = make_member(display_name="No mail please", notify_answered=False)
    for member in [*praying, quiet, asker]:
        mark_prayed(user=member, prayer=request_)
    client = logged_in(asker)
    response = update(client, request_, answered="on")
    assert response.status_code == 302
    assert "Praise God" in client.get(response["Location"]).content.decode()
    request_.refresh_from_db()
    assert request_.is_answered and NOTE in request_.answer_html
    wall = Client().get("/prayers/requests/").content.decode()
    answered = Client().get("/prayers/requests/answered/").content.decode()
    assert "sister&#x27;s scan" not in wall and "sister" not in wall
    assert "sister" in answered and NOTE in answered and "Answered" in answered
    # "My prayers" shows it at once, before any mail.
    journal = logged_in(praying[0]).get("/accounts/prayers/").content.decode()
    assert "Answered" in journal and NOTE in journal
    # The job tells each who prayed, once; not the requester, not who turned it off.
    assert followup.tell_answered() == 3
    assert followup.tell_answered() == 0
    sent = delivered()
    assert sorted(m.to[0] for m in sent) == sorted(m.email for m in praying)
    assert NOTE in sent[0].body and request_.get_absolute_url() in sent[0].body
    assert "Martha" not in sent[0].body or not request_.anonymous
    # Answering again is refused with a clear message; renewing too.
    again = update(client, request_, text="And again", answered="on")
    assert again.status_code == 400 and "already marked answered" in again.content.decode()
    renewed = client.post(f"/prayers/requests/{request_.pk}/renew/", follow=True)
    assert "stays on its own page" in renewed.content.decode()


def test_telling_goes_a_batch_at_a_time_and_never_twice(asker, request_):
    praying = [make_member() for _ in range(5)]
    for member in praying:
        mark_prayed(user=member, prayer=request_)
    followup.add_update(prayer=request_, user=asker, text=NOTE, answered=True)
    assert followup.tell_answered(batch=2) == 5
    answer = request_.updates.get()
    assert answer.told_at is not None
    assert followup.tell_answered(batch=2) == 0
    assert mails("answered").count() == 5


def test_an_anonymous_requesters_name_is_in_no_answer_mail(asker, texas):
    prayer = make_request(author=asker, state=texas, anonymous=True)
    mark_prayed(user=make_member(), prayer=prayer)
    followup.add_update(prayer=prayer, user=asker, text=NOTE, answered=True)
    followup.tell_answered()
    (message,) = delivered()
    assert "Martha" not in message.body and "Quill" not in message.body


def test_a_request_taken_down_before_the_telling_tells_no_one(asker, request_):
    mark_prayed(user=make_member(), prayer=request_)
    followup.add_update(prayer=request_, user=asker, text=NOTE, answered=True)
    delete_request(prayer=request_, user=asker)
    assert followup.tell_answered() == 0 and not mails("answered").exists()


def test_answered_mail_is_one_setting_in_the_profile(asker):
    member = make_member(display_name="Ruth Ames")
    client = logged_in(member)
    page = client.get("/accounts/profile/").content.decode()
    assert "email me when a prayer i prayed for is answered" in page.lower()
    client.post("/accounts/profile/", {"display_name": "Ruth Ames", "home_state": "",
                                       "notify_replies": "on"})
    member.refresh_from_db()
    assert member.notify_answered is False
    prayer = make_request(author=asker)
    mark_prayed(user=member, prayer=prayer)
    followup.add_update(prayer=prayer, user=asker, text=NOTE, answered=True)
    assert followup.tell_answered() == 0


def test_staff_update_and_answer_a_posts_prayer_in_admin(db):
    post = make_article(title="Levee watch")
    praying = make_member()
    mark_prayed(user=praying, prayer=post.prayer)
    editor = make_member(is_staff=True)
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Editors"))
    client = logged_in(editor)
    form = client.get(f"/admin/prayers/prayerupdate/add/?prayer={post.prayer.pk}")
    assert form.status_code == 200
    response = client.post("/admin/prayers/prayerupdate/add/", {
        "prayer": post.prayer.pk, "text": "Update: the levee held.", "answered": "on"})
    assert response.status_code == 302
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "the levee held" in html and "Answered" in html
    assert followup.tell_answered() == 1
    # Taking the answer back (deleting it) takes "Answered" off the post.
    answer = post.prayer.updates.get()
    client.post(f"/admin/prayers/prayerupdate/{answer.pk}/delete/", {"post": "yes"})
    assert "the levee held" not in Client().get(post.get_absolute_url()).content.decode()
    # A member cannot write updates to our prayers, nor answer them.
    with pytest.raises(followup.PermissionDenied):
        followup.add_update(prayer=post.prayer, user=praying, text="Mine", answered=True)


# The daily word to the requester.

def _prayed_on(day_at, prayer, members):
    for member in members:
        mark_prayed(user=member, prayer=prayer)
    from prayers.models import PrayerMark

    PrayerMark.objects.filter(prayer=prayer, user__in=members).update(created_at=day_at)


def test_the_daily_count_goes_once_a_day_exactly_once_per_requester(
        asker, request_, texas, time_machine):
    second = make_request(author=asker, state=texas, text="And for our church roof.")
    time_machine.move_to(datetime(2026, 6, 9, 8, 0, tzinfo=EASTERN), tick=False)
    yesterday = datetime(2026, 6, 8, 15, 0, tzinfo=EASTERN)
    _prayed_on(yesterday, request_, [make_member() for _ in range(12)])
    _prayed_on(yesterday, second, [make_member()])
    _prayed_on(yesterday, request_, [asker])  # the requester's own prayer is not counted
    assert followup.send_digests() == 1
    assert followup.send_digests() == 0  # the hourly job again: the day is told
    (message,) = delivered()
    assert message.to == [asker.email]
    assert "13 people prayed for your requests" in message.subject
    assert "12 people prayed for:" in message.body and "1 person prayed for:" in message.body
    assert "Monday, June 8" in message.body
    assert PrayedDigest.objects.get().prayers == 13
    # The next day had no prayers: no mail.
    time_machine.move_to(datetime(2026, 6, 10, 8, 0, tzinfo=EASTERN), tick=False)
    assert followup.send_digests() == 0 and len(delivered()) == 1


def test_the_one_click_link_stops_the_daily_count_for_that_request_only(
        asker, request_, texas, time_machine):
    time_machine.move_to(datetime(2026, 6, 9, 8, 0, tzinfo=EASTERN), tick=False)
    _prayed_on(datetime(2026, 6, 8, 15, 0, tzinfo=EASTERN), request_, [make_member()])
    followup.send_digests()
    (message,) = delivered()
    link = followup.quiet_url(request_)
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = Client().get("/" + path)
    assert page.status_code == 200 and "Stop the daily email" in page.content.decode()
    request_.refresh_from_db()
    assert request_.daily_mail  # looking is not stopping
    # One click, as a mail program does it: a POST with no session and no CSRF token.
    assert Client(enforce_csrf_checks=True).post("/" + path).status_code == 200
    request_.refresh_from_db()
    assert not request_.daily_mail
    second = make_request(author=asker, state=texas, text="And for our church roof.")
    time_machine.move_to(datetime(2026, 6, 10, 8, 0, tzinfo=EASTERN), tick=False)
    _prayed_on(datetime(2026, 6, 9, 15, 0, tzinfo=EASTERN), request_, [make_member()])
    assert followup.send_digests() == 0  # quietened
    _prayed_on(datetime(2026, 6, 9, 16, 0, tzinfo=EASTERN), second, [make_member()])
    assert followup.send_digests() == 1


def test_the_requester_turns_the_daily_count_off_and_on_from_the_request(asker, request_):
    client = logged_in(asker)
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "Stop the daily email" in page
    client.post(f"/prayers/requests/{request_.pk}/daily-mail/", {"on": "0"})
    request_.refresh_from_db()
    assert not request_.daily_mail
    client.post(f"/prayers/requests/{request_.pk}/daily-mail/", {"on": "1"})
    request_.refresh_from_db()
    assert request_.daily_mail


def test_a_request_deleted_before_the_digest_is_left_out(asker, request_, time_machine):
    time_machine.move_to(datetime(2026, 6, 9, 8, 0, tzinfo=EASTERN), tick=False)
    _prayed_on(datetime(2026, 6, 8, 15, 0, tzinfo=EASTERN), request_, [make_member()])
    delete_request(prayer=request_, user=asker)
    assert followup.send_digests() == 0 and not mails("digest").exists()


def test_a_digest_counted_and_then_deleted_in_between_is_no_500(asker, request_):
    # The count was taken; the request went before its mail was written.
    day = timezone.localdate()
    delete_request(prayer=request_, user=asker)
    assert followup._digest(asker.pk, day, {request_.pk: 3}) == 0
    assert not mails("digest").exists()


# Expiry and the reminder.

def test_a_request_leaves_the_wall_after_30_days_with_a_reminder_3_days_before(
        asker, texas, time_machine):
    start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 9 am in Texas's eastern neighbour
    time_machine.move_to(start, tick=False)
    client = logged_in(asker)
    client.post("/prayers/requests/new/", {"text": "Pray for rain on our farm.",
                                           "state": "texas"})
    prayer = Prayer.objects.requests().get()
    # Prayers do not keep it up: only posting, updating and renewing do.
    mark_prayed(user=make_member(), prayer=prayer)
    time_machine.move_to(start + timedelta(days=26, hours=23), tick=False)
    assert followup.tend_wall() == {"expired": 0, "reminded": 0}
    time_machine.move_to(start + timedelta(days=27, hours=1), tick=False)
    assert followup.tend_wall() == {"expired": 0, "reminded": 1}
    assert followup.tend_wall() == {"expired": 0, "reminded": 0}  # once
    (reminder,) = delivered()
    assert "leaves the prayer wall on Wednesday, April 1" in reminder.body
    assert prayer.get_absolute_url() in reminder.body
    time_machine.move_to(start + timedelta(days=30, minutes=1), tick=False)
    # Off the wall the moment its time is up, before the job has run…
    assert "rain on our farm" not in Client().get("/prayers/requests/").content.decode()
    assert followup.tend_wall() == {"expired": 1, "reminded": 0}
    # …and still on its own page and in the journal.
    client.force_login(asker)  # a month on, the session has ended
    page = client.get(prayer.get_absolute_url()).content.decode()
    assert "rain on our farm" in page and "This request has left the wall" in page
    assert "rain on our farm" in client.get("/accounts/prayers/?show=requests").content.decode()
    # Renewed: back for 30 days, with a reminder again before it leaves.
    assert client.post(f"/prayers/requests/{prayer.pk}/renew/").status_code == 302
    assert "rain on our farm" in Client().get("/prayers/requests/").content.decode()
    time_machine.shift(timedelta(days=27, hours=1))
    assert followup.tend_wall() == {"expired": 0, "reminded": 1}


def test_only_the_requester_renews(asker, request_):
    assert logged_in(make_member()).post(
        f"/prayers/requests/{request_.pk}/renew/").status_code == 403


# My prayers.

def test_my_prayers_keeps_what_i_prayed_for_and_what_i_asked(asker, request_):
    member = make_member(display_name="Ruth Ames")
    post = make_article(title="Flood relief")
    mark_prayed(user=member, prayer=post.prayer)
    mark_prayed(user=member, prayer=request_)
    client = logged_in(member)
    header = client.get("/").content.decode()
    assert 'href="/accounts/prayers/"' in header
    journal = client.get("/accounts/prayers/").content.decode()
    assert journal.index("sister") < journal.index(post.prayer.text[:30])  # newest first
    assert "Flood relief" in journal and "a member's request" in journal
    mine = logged_in(asker).get("/accounts/prayers/?show=requests").content.decode()
    assert "sister" in mine and "1 person has prayed" in mine and "on the wall until" in mine
    assert "You have not shared a request yet" in client.get(
        "/accounts/prayers/?show=requests").content.decode()
    followup.add_update(prayer=request_, user=asker, text=NOTE, answered=True)
    exported = export_member_data(user=asker)["prayer_requests"][0]
    assert exported["answered"] and exported["updates"][0]["text"] == NOTE
    assert export_member_data(user=member)["prayers_marked"]


@pytest.mark.parametrize("marks", [3, 40])
def test_my_prayers_costs_the_same_however_many_marks(asker, texas, marks,
                                                      django_assert_num_queries):
    member = make_member()
    posts = [make_article(title=f"Post {n}") for n in range(2)]
    for n in range(marks):
        prayer = (posts[n].prayer if n < len(posts) else make_request(
            author=member if n % 2 == 0 else asker, state=texas, text=f"Request {n}"))
        mark_prayed(user=member if prayer.author_id != member.pk else asker, prayer=prayer)
    client = logged_in(member)
    # session, member, the page's mark ids, those marks with their prayers
    with django_assert_num_queries(4):
        assert client.get("/accounts/prayers/").status_code == 200
    # session, member, the page's request ids, those requests with their states, the
    # notes left on them
    with django_assert_num_queries(5):
        assert client.get("/accounts/prayers/?show=requests").status_code == 200


def test_a_kept_journal_changes_with_what_it_shows_and_is_never_anothers(
    asker, texas, settings
):
    """The journal is rendered again only when a line of it changes: a new mark, a
    count, an answer, or the time a request leaves the wall."""
    settings.PAGE_CACHE = True
    member, other = make_member(), make_member()
    first = make_request(author=asker, state=texas, text="Rain for the valley")
    mark_prayed(user=member, prayer=first)
    client = logged_in(member)
    assert "Rain for the valley" in client.get("/accounts/prayers/").content.decode()
    second = make_request(author=asker, state=texas, text="Safe roads home")
    mark_prayed(user=member, prayer=second)
    journal = client.get("/accounts/prayers/").content.decode()
    assert "Safe roads home" in journal and "Rain for the valley" in journal
    again = client.get("/accounts/prayers/")  # nothing it shows changed: kept, not rendered
    assert "Safe roads home" in again.content.decode()
    assert "accounts/prayers.html" not in [t.name for t in again.templates]
    assert "Safe roads home" not in logged_in(other).get("/accounts/prayers/").content.decode()
    followup.add_update(prayer=second, user=asker, text=NOTE, answered=True)
    assert NOTE in client.get("/accounts/prayers/").content.decode()
    mine = logged_in(asker)
    assert "1 person has prayed" in mine.get("/accounts/prayers/?show=requests").content.decode()
    mark_prayed(user=other, prayer=first)
    assert "2 have prayed" in mine.get("/accounts/prayers/?show=requests").content.decode()


@pytest.mark.parametrize("path", ["/accounts/prayers/?page=0", "/accounts/prayers/?page=x",
                                  "/accounts/prayers/?page=2"])
def test_bad_journal_pages_are_404(path, asker):
    assert logged_in(asker).get(path).status_code == 404


def test_mail_is_sent_by_the_worker_not_the_request(asker, request_):
    mark_prayed(user=make_member(), prayer=request_)
    update(logged_in(asker), request_, answered="on")
    assert mail.outbox == []  # nothing left in the request


# Found in review: each of these failed before its fix.

def test_an_update_with_links_is_refused_with_the_text_kept(asker, request_):
    text = "See [this](https://spam.example) and [that](https://spam.example/2)"
    response = update(logged_in(asker), request_, text=text, answered="on")
    html = response.content.decode()
    assert response.status_code == 400 and "Please leave links out of updates" in html
    assert "spam.example" in html  # in the form, for them to change
    request_.refresh_from_db()
    assert not request_.is_answered and "spam" not in request_.updates_html


def test_a_held_request_is_hidden_in_journals_and_told_of_only_once_approved(asker, request_):
    from prayers.services import approve_requests

    member = make_member()
    mark_prayed(user=member, prayer=request_)
    followup.add_update(prayer=request_, user=asker, text=NOTE, answered=True)
    Prayer.objects.filter(pk=request_.pk).update(status="pending", text="Held words")
    journal = logged_in(member).get("/accounts/prayers/").content.decode()
    assert "sister" not in journal and "not on the site just now" in journal
    assert followup.tell_answered() == 0 and not mails("answered").exists()
    approve_requests(Prayer.objects.filter(pk=request_.pk))
    assert followup.tell_answered() == 1


def test_a_save_of_a_prayer_loaded_before_the_answer_keeps_the_answer(asker, request_):
    stale = Prayer.objects.get(pk=request_.pk)
    followup.add_update(prayer=request_, user=asker, text=NOTE, answered=True)
    stale.text = "Edited a moment later"
    stale.save()
    request_.refresh_from_db()
    assert request_.is_answered and NOTE in request_.answer_html


def test_a_request_approved_after_a_long_wait_gets_its_whole_month(asker, texas):
    from prayers.services import approve_requests

    held = make_request(author=asker, state=texas, status="pending",
                        published_at=timezone.now() - timedelta(days=40))
    followup.tend_wall()
    approve_requests(Prayer.objects.filter(pk=held.pk))
    held.refresh_from_db()
    assert not held.expired and held.expires_at > timezone.now() + timedelta(days=29)
    assert held.is_on_the_wall


@pytest.mark.parametrize("text", ["\x01\x02", "\u200b\u200b"])
def test_admin_update_text_the_sanitiser_refuses_is_a_form_error(db, text):
    post = make_article(title="Levee watch")
    client = logged_in(make_member(is_staff=True, is_superuser=True))
    response = client.post("/admin/prayers/prayerupdate/add/",
                           {"prayer": post.prayer.pk, "text": text})
    assert response.status_code == 200 and "Please write something" in response.content.decode()


def test_admin_a_second_answer_is_a_form_error(db):
    post = make_article(title="Levee watch")
    staff = make_member(is_staff=True, is_superuser=True)
    followup.add_update(prayer=post.prayer, user=staff, text="It held.", answered=True)
    response = logged_in(staff).post("/admin/prayers/prayerupdate/add/", {
        "prayer": post.prayer.pk, "text": "Again", "answered": "on"})
    assert response.status_code == 200 and "already marked answered" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1", "x"])
def test_admin_add_form_with_an_odd_prayer_is_not_a_500(db, value):
    client = logged_in(make_member(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/prayers/prayerupdate/add/?prayer={value}").status_code == 200


def test_renewal_is_offered_only_near_the_end_and_refused_before(asker, texas, time_machine):
    start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    prayer = make_request(author=asker, state=texas)
    client = logged_in(asker)
    renew = "Keep it on the wall for 30 more days"
    assert renew not in client.get(prayer.get_absolute_url()).content.decode()
    refused = client.post(f"/prayers/requests/{prayer.pk}/renew/")
    assert refused.status_code == 400
    assert "You can keep it on the wall longer" in refused.content.decode()
    prayer.refresh_from_db()
    assert prayer.expires_at == start + timedelta(days=30)  # unchanged
    # Within the reminder's days it is offered, and it works.
    time_machine.move_to(start + timedelta(days=30 - followup.REMIND_DAYS, hours=1), tick=False)
    client.force_login(asker)  # weeks on, the session has ended
    assert renew in client.get(prayer.get_absolute_url()).content.decode()
    assert client.post(f"/prayers/requests/{prayer.pk}/renew/").status_code == 302
    assert renew not in client.get(prayer.get_absolute_url()).content.decode()
