"""“Praying for you” notes: left with "I Prayed", one per member per request, under
the rules of everything members write; seen by the requester, and by everyone only
when the requester chose so; never a clue to who asked anonymously."""
from datetime import date, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from library.models import OutboxMessage
from prayers import followup
from prayers.models import Prayer, PrayerMark, PrayerNote, PrayerNoteReport
from prayers.services import approve_notes, pray_with_note
from tests.factories import make_member, make_request, make_seasoned_member

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

NOTE = "Praying for strength and peace for you and Daniel this week."


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def note_on(client, prayer, text=NOTE, **extra):
    return client.post(f"/prayers/{prayer.pk}/prayed/",
                       {"note": text, "next": prayer.get_absolute_url(), **extra})


@pytest.fixture
def request_(asker, texas):
    return make_request(author=asker, state=texas)


@pytest.fixture
def friend(db):
    return make_member(display_name="Ruth Oakes")


def test_a_member_prays_with_a_note_and_the_requester_sees_it(request_, asker, friend):
    friend_client = logged_in(friend)
    page = friend_client.get(request_.get_absolute_url()).content.decode()
    assert 'name="note"' in page and "Only the member who asked will see it" in page
    response = note_on(friend_client, request_)
    assert response.status_code == 302 and response["Location"] == request_.get_absolute_url()
    note = PrayerNote.objects.get()
    assert (note.author, note.prayer, note.status) == (friend, request_, "published")
    # The note is the prayer too: one mark, counted.
    assert PrayerMark.objects.filter(user=friend, prayer=request_).count() == 1
    request_.refresh_from_db()
    assert request_.prayed_count == 1
    mine = logged_in(asker).get(request_.get_absolute_url()).content.decode()
    assert NOTE in mine and "Ruth Oakes" in mine
    # Nobody else reads it while the requester keeps notes to themself.
    for reader in (Client(), logged_in(make_member()), friend_client):
        assert NOTE not in reader.get(request_.get_absolute_url()).content.decode()
    # The note's writer is told it went, not shown a second form.
    again = friend_client.get(request_.get_absolute_url()).content.decode()
    assert "Your note is with the member who asked" in again and 'name="note"' not in again


def test_an_empty_note_is_a_plain_prayer(request_, friend):
    response = note_on(logged_in(friend), request_, text="  \n ")
    assert response.status_code == 302
    assert PrayerMark.objects.filter(user=friend).count() == 1
    assert not PrayerNote.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("\u200b\u200d\u2060 \ufeff", "Please write something"),
    ("x" * 281, "Please keep your note to 280 characters; this one has 281"),
])
def test_a_note_that_cannot_be_taken_comes_back_as_typed(request_, friend, text, message):
    response = note_on(logged_in(friend), request_, text=text)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f">{text}</textarea>" in page  # what was typed is there to fix
    assert not PrayerNote.objects.exists() and not PrayerMark.objects.exists()


def test_a_note_sent_on_its_own_must_say_something(request_, friend):
    client = logged_in(friend)
    assert client.post(f"/prayers/{request_.pk}/prayed/").status_code == 302  # prayed first
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "Add a note for the one who asked" in page
    response = note_on(client, request_, text="", **{"with": "note"})
    assert response.status_code == 400 and "Please write something" in response.content.decode()
    assert note_on(client, request_, **{"with": "note"}).status_code == 302
    assert PrayerNote.objects.get().text == NOTE
    assert PrayerMark.objects.filter(user=friend).count() == 1


def test_one_note_per_member_per_request(request_, friend, time_machine):
    client = logged_in(friend)
    assert note_on(client, request_).status_code == 302
    time_machine.shift(timedelta(seconds=30))  # past the pace rule
    response = note_on(client, request_, text="A second word")
    assert response.status_code == 400
    page = response.content.decode()
    assert "You have left a note on this request already" in page and "A second word" in page
    assert PrayerNote.objects.count() == 1


def test_notes_keep_the_pace_of_everything_members_write(asker, texas, friend):
    first, second = (make_request(author=asker, state=texas) for _ in range(2))
    client = logged_in(friend)
    assert note_on(client, first).status_code == 302
    response = note_on(client, second, text="And for this one too")
    assert response.status_code == 429
    assert "Please wait 15 seconds" in response.content.decode()
    assert "And for this one too" in response.content.decode()
    assert PrayerNote.objects.count() == 1


def test_a_requester_leaves_no_note_on_their_own_request(request_, asker):
    client = logged_in(asker)
    assert 'name="note"' not in client.get(request_.get_absolute_url()).content.decode()
    assert note_on(client, request_).status_code == 400
    assert not PrayerNote.objects.exists()


def test_no_note_on_a_request_readers_cannot_see(asker, texas, friend):
    held = make_request(author=asker, state=texas, status=Prayer.Status.PENDING)
    assert note_on(logged_in(friend), held).status_code == 404
    assert not PrayerNote.objects.exists() and not PrayerMark.objects.exists()


def test_a_note_with_a_link_waits_for_staff_and_is_approved_in_admin(request_, asker, friend,
                                                                    admin_client):
    response = note_on(logged_in(friend), request_, text="A verse for you: example.org/psalm-23")
    assert response.status_code == 302
    note = PrayerNote.objects.get()
    assert note.status == "pending"
    requester = logged_in(asker)
    assert "psalm-23" not in requester.get(request_.get_absolute_url()).content.decode()
    response = admin_client.post("/admin/prayers/prayernote/",
                                 {"action": "approve", "_selected_action": [note.pk]})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == "published"
    assert LogEntry.objects.filter(object_id=str(note.pk),
                                   change_message__startswith="Approved (held note)").exists()
    assert "psalm-23" in requester.get(request_.get_absolute_url()).content.decode()


def test_the_requester_shows_notes_to_everyone_and_no_one_else_can(request_, asker, friend,
                                                                  time_machine):
    pray_with_note(user=friend, prayer=request_, text=NOTE)
    reader = Client()
    assert NOTE not in reader.get(request_.get_absolute_url()).content.decode()
    # Someone else's forged POST changes nothing.
    stranger = logged_in(make_member())
    assert stranger.post(f"/prayers/requests/{request_.pk}/notes-shown/",
                         {"on": "1"}).status_code == 403
    request_.refresh_from_db()
    assert request_.notes_public is False
    assert NOTE not in reader.get(request_.get_absolute_url()).content.decode()
    response = logged_in(asker).post(f"/prayers/requests/{request_.pk}/notes-shown/",
                                     {"on": "1"})
    assert response.status_code == 302
    request_.refresh_from_db()
    assert request_.notes_public is True
    page = reader.get(request_.get_absolute_url()).content.decode()  # the shared page anew
    assert NOTE in page and "Ruth Oakes" in page
    # Chosen when asking, too.
    time_machine.shift(timedelta(seconds=30))  # past the pace rule
    client = logged_in(asker)
    client.post("/prayers/requests/new/", {"text": "Pray for the harvest", "state": "texas",
                                           "notes_public": "on"})
    assert Prayer.objects.requests().get(text="Pray for the harvest").notes_public


def test_an_anonymous_requester_is_never_revealed_by_a_note(asker, texas, friend):
    prayer = make_request(author=asker, state=texas, anonymous=True, notes_public=True)
    client = logged_in(friend)
    assert note_on(client, prayer).status_code == 302
    bad = note_on(logged_in(make_member()), prayer, text="y" * 300)
    assert bad.status_code == 400
    pages = [client.get(prayer.get_absolute_url()).content.decode(),
             Client().get(prayer.get_absolute_url()).content.decode(),
             bad.content.decode()]
    assert NOTE in pages[0] and NOTE in pages[1]
    for page in pages:
        assert "Martha Quill" not in page and asker.email not in page
        assert "A member in Texas" in page


def test_a_note_is_reported_and_staff_decide(request_, asker, friend):
    note = pray_with_note(user=friend, prayer=request_, text=NOTE)
    requester = logged_in(asker)
    page = requester.get(request_.get_absolute_url()).content.decode()
    assert f"/prayers/notes/{note.pk}/report/" in page
    form = requester.get(f"/prayers/notes/{note.pk}/report/")
    assert form.status_code == 200 and NOTE in form.content.decode()
    bad = requester.post(f"/prayers/notes/{note.pk}/report/", {"reason": "other",
                                                                "detail": ""})
    assert bad.status_code == 400
    response = requester.post(f"/prayers/notes/{note.pk}/report/", {"reason": "unkind"})
    assert response.status_code == 302
    report = PrayerNoteReport.objects.get()
    assert (report.note, report.reporter, report.reason) == (note, asker, "unkind")
    # A note others cannot see cannot be reported by them.
    assert logged_in(make_seasoned_member()).get(
        f"/prayers/notes/{note.pk}/report/").status_code == 404


def test_removed_notes_are_gone_for_everyone(request_, asker, friend, admin_client):
    note = pray_with_note(user=friend, prayer=request_, text=NOTE)
    admin_client.post("/admin/prayers/prayernote/",
                      {"action": "remove", "_selected_action": [note.pk]})
    assert NOTE not in logged_in(asker).get(request_.get_absolute_url()).content.decode()
    assert NOTE not in logged_in(asker).get(
        "/accounts/prayers/?show=requests").content.decode()


def test_notes_deleted_in_admin_leave_the_shared_page_at_once(asker, texas, friend,
                                                              admin_client):
    prayer = make_request(author=asker, state=texas, notes_public=True)
    one = pray_with_note(user=friend, prayer=prayer, text=NOTE)
    other = pray_with_note(user=make_member(), prayer=prayer, text="Standing with you today.")
    reader = Client()
    page = reader.get(prayer.get_absolute_url())
    assert NOTE in page.content.decode() and "Standing with you" in page.content.decode()
    assert reader.get(prayer.get_absolute_url())["X-Page-Cache"] == "hit"
    # One from its own page, then the other from the list.
    assert admin_client.post(f"/admin/prayers/prayernote/{one.pk}/delete/",
                             {"post": "yes"}).status_code == 302
    assert NOTE not in reader.get(prayer.get_absolute_url()).content.decode()
    assert admin_client.post("/admin/prayers/prayernote/", {
        "action": "delete_selected", "_selected_action": [other.pk], "post": "yes",
    }).status_code == 302
    assert not PrayerNote.objects.exists()
    assert "Standing with you" not in reader.get(prayer.get_absolute_url()).content.decode()


def test_the_requester_reads_notes_in_my_prayers(request_, asker, friend):
    pray_with_note(user=friend, prayer=request_, text=NOTE)
    held = pray_with_note(user=make_member(), prayer=request_, text="See example.org/x")
    assert held.status == "pending"
    page = logged_in(asker).get("/accounts/prayers/?show=requests").content.decode()
    assert NOTE in page and "Ruth Oakes" in page and "example.org/x" not in page
    approve_notes(PrayerNote.objects.filter(pk=held.pk))
    page = logged_in(asker).get("/accounts/prayers/?show=requests").content.decode()
    assert "example.org/x" in page  # the kept page follows what it shows


def test_the_daily_mail_carries_the_days_notes(asker, texas, friend, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 10, 9, 0)), tick=False)
    prayer = make_request(author=asker, state=texas, anonymous=True)
    pray_with_note(user=friend, prayer=prayer, text=NOTE)
    pray_with_note(user=make_member(display_name="Held Back"), prayer=prayer,
                   text="Look at example.org/spam")
    assert followup.send_digests(day=date(2026, 3, 10)) == 1
    mail = OutboxMessage.objects.get(kind="prayers/email/digest")
    assert mail.to == asker.email
    assert "2 people prayed" in mail.subject
    assert f"Ruth Oakes: {NOTE}" in mail.body
    assert "spam" not in mail.body and "Held Back" not in mail.body
    # Still one mail a day, however many notes.
    assert followup.send_digests(day=date(2026, 3, 10)) == 0
    # Staff approve the held note the next day: with no prayer that day, the next
    # day's mail carries it alone; each note is told once.
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 11, 9, 0)), tick=False)
    approve_notes(PrayerNote.objects.filter(status="pending"))
    assert followup.send_digests(day=date(2026, 3, 11)) == 1
    later = OutboxMessage.objects.filter(kind="prayers/email/digest").latest("id")
    assert later.subject.endswith("A note from someone who prayed for you")
    assert "Held Back: Look at example.org/spam" in later.body
    assert NOTE not in later.body and "people prayed" not in later.body
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 12, 9, 0)), tick=False)
    assert followup.send_digests(day=date(2026, 3, 12)) == 0


def test_the_request_page_costs_the_same_with_notes(request_, asker, running_site,
                                                     django_assert_num_queries):
    for n in range(4):
        pray_with_note(user=make_member(), prayer=request_, text=f"Note {n}")
    Prayer.objects.filter(pk=request_.pk).update(notes_public=True)
    client = logged_in(make_member())
    client.get(request_.get_absolute_url())
    # session, member, whether the request is theirs, versions (the page with its notes
    # is kept), the live count with the member's mark and note
    with django_assert_num_queries(5):
        assert client.get(request_.get_absolute_url()).status_code == 200
    requester = logged_in(asker)
    # session, member, whether it is theirs, the request, the notes, the live count
    with django_assert_num_queries(6):
        assert requester.get(request_.get_absolute_url()).status_code == 200


def test_the_note_pages_cost_a_fixed_number_of_queries(request_, asker, friend,
                                                       django_assert_num_queries):
    note = pray_with_note(user=friend, prayer=request_, text=NOTE)
    requester = logged_in(asker)
    requester.get("/")
    # session, member, the note with its request, state and requester
    with django_assert_num_queries(3):
        assert requester.get(f"/prayers/notes/{note.pk}/report/").status_code == 200
    other = logged_in(make_member())
    other.get("/")
    # A note that cannot be taken comes back: session, member, the rate limit, the
    # request, and the write's savepoint opened, rolled back and released (the text
    # is refused before the pace rule reads anything)
    with django_assert_num_queries(7):
        assert note_on(other, request_, text="z" * 300).status_code == 400
