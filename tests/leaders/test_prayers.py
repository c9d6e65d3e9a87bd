"""Praying for a leader: "I Prayed" from the daily email, and members' written
prayers under the rules of everything members write."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from leaders.models import Leader, LeaderPrayer, LeaderPrayerReport
from leaders.services import approve_prayers, leaders_of_the_day
from library.models import OutboxMessage
from library.text.moderation import Refused
from tests.factories import make_article, make_member, make_seasoned_member
from updates import services
from updates.models import Edition, Subscriber


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_member_prays_for_a_leader_of_the_day_from_the_daily_email(loaded):
    make_article(title="Levee holds", published_at=timezone.now() - timedelta(minutes=30))
    member = make_member(display_name="Grace Miller")
    subscriber = services.set_member_choices(member, daily=True, weekly=False, state=None,
                                             answered=True)
    call_command("send_updates", "daily")
    mail = OutboxMessage.objects.get(kind="updates/email/daily")
    today = leaders_of_the_day()
    assert len(today) == 3
    for leader in today:
        assert leader.name.upper() in mail.body and leader.title in mail.html
    leader = today[0]
    link = next(line.split(": ", 1)[1] for line in mail.body.splitlines()
                if line.startswith("I Prayed (one click): ")
                and services.read_pray_token(path_of(line.split(": ", 1)[1]).split("/")[-2]
                                             )[1] == leader.prayer)
    reader = Client()
    assert reader.get(path_of(link)).status_code == 200  # a scanner's GET records nothing
    leader.prayer.refresh_from_db()
    assert leader.prayer.prayed_count == 0
    response = reader.post(path_of(link))
    assert response.status_code == 302
    assert response["Location"] == f"/leaders/{leader.slug}/#prayer-{leader.prayer.pk}"
    leader.prayer.refresh_from_db()
    assert leader.prayer.prayed_count == 1
    assert leader.prayer.marks.get().user == member
    assert Subscriber.objects.get(pk=subscriber.pk).member == member
    # On the web, the email's leaders link to their pages, with no one's own link.
    day = Edition.objects.get(kind="daily").day
    archived = Client().get(f"/updates/archive/daily/{day.isoformat()}/").content.decode()
    for leader in today:
        assert f'<a href="/leaders/{leader.slug}/">{leader.name}</a>' in archived
    assert "/updates/pray/" not in archived


def test_home_asks_prayer_for_the_leaders_of_the_day(client, loaded):
    html = client.get("/").content.decode()
    assert "Pray today for …" in html
    for leader in leaders_of_the_day():
        assert f'<a href="/leaders/{leader.slug}/">{leader.name}</a>' in html


def test_a_written_prayer_appears_once_staff_approve_it_with_first_name_and_initial(
        client, loaded):
    member = make_member(display_name="Grace Miller", email="grace@example.org")
    client.force_login(member)
    text = "Lord, give Senator Zephyr wisdom and rest this week."
    response = client.post("/leaders/ada-zephyr/pray/", {"text": text})
    assert response.status_code == 302 and response["Location"].endswith("#recent-prayers")
    prayer = LeaderPrayer.objects.get()
    assert prayer.status == "pending"
    reader = Client()
    assert text not in reader.get("/leaders/ada-zephyr/").content.decode()
    approve_prayers(LeaderPrayer.objects.all())
    html = reader.get("/leaders/ada-zephyr/").content.decode()
    assert text in html and "Grace M." in html
    assert "Miller" not in html and "grace@example.org" not in html


@pytest.mark.parametrize(("text", "message"), [
    ("", "This field is required"),
    ("   ", "Please write something"),
    ("x" * 501, "Please keep your prayer to 500 characters"),
])
def test_a_prayer_that_cannot_be_taken_comes_back_with_what_was_typed(client, loaded, text,
                                                                      message):
    client.force_login(make_member())
    response = client.post("/leaders/ada-zephyr/pray/", {"text": text})
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert text.strip()[:50] in html
    assert not LeaderPrayer.objects.exists()


def test_a_prayer_with_a_link_is_held_and_guests_cannot_write(client, loaded, settings):
    settings.LEADER_PRAYERS_REVIEW = False
    client.force_login(make_member())
    client.post("/leaders/ada-zephyr/pray/", {"text": "Bless her work."})
    client.force_login(make_member())
    client.post("/leaders/ada-zephyr/pray/", {"text": "See https://elsewhere.example"})
    assert [p.status for p in LeaderPrayer.objects.order_by("id")] == ["published", "pending"]
    guest = Client().post("/leaders/ada-zephyr/pray/", {"text": "Hello"})
    assert guest.status_code == 302 and "/accounts/login/" in guest["Location"]


def test_a_leader_who_left_office_takes_no_new_prayers_but_keeps_the_old(client, loaded):
    leader = Leader.objects.get(slug="ada-zephyr")
    LeaderPrayer.objects.create(leader=leader, author=make_member(display_name="Eli Kent"),
                                text="Thank you for her service.",
                                body_html="<p>Thank you for her service.</p>")
    Leader.objects.filter(pk=leader.pk).update(left_office_at=timezone.now())
    client.force_login(make_member())
    response = client.post("/leaders/ada-zephyr/pray/", {"text": "One more prayer."})
    assert response.status_code == 400 and "has left office" in response.content.decode()
    assert LeaderPrayer.objects.count() == 1
    html = Client().get("/leaders/ada-zephyr/").content.decode()
    assert "has left this office" in html and "Thank you for her service." in html
    assert "Eli K." in html and 'action="/leaders/ada-zephyr/pray/"' not in html


@pytest.mark.parametrize("reason", ["person", "attack"])
def test_a_prayer_can_be_reported_for_naming_another_or_attacking_the_leader(client, loaded,
                                                                             reason):
    leader = Leader.objects.get(slug="ada-zephyr")
    prayer = LeaderPrayer.objects.create(leader=leader, author=make_member(), text="Words.",
                                         body_html="<p>Words.</p>")
    client.force_login(make_seasoned_member())
    page = client.get(f"/leaders/prayers/{prayer.pk}/report/").content.decode()
    assert "Names another person" in page and "Attacks the leader" in page
    response = client.post(f"/leaders/prayers/{prayer.pk}/report/", {"reason": reason})
    assert response.status_code == 302
    assert LeaderPrayerReport.objects.get().reason == reason
    bad = client.post(f"/leaders/prayers/{prayer.pk}/report/", {"reason": "nonsense"})
    assert bad.status_code == 400
    assert client.get("/leaders/prayers/999999999999999999999/report/").status_code == 404


def test_my_prayers_names_the_leaders_prayed_for_without_a_query_each(client, loaded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prayers.services import mark_prayed

    member = make_member()
    client.force_login(member)
    counts = []
    for leader in Leader.objects.order_by("id")[:6]:
        mark_prayed(user=member, prayer=leader.prayer)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/accounts/prayers/").content.decode()
        assert f"for {leader.name}" in html and f'href="/leaders/{leader.slug}/' in html
        counts.append(len(queries))
    assert len(set(counts[1:])) == 1  # the first page is kept for the member after


def test_hostile_prayers_and_leader_fields_print_nothing_that_runs(client, loaded):
    from leaders.services import post_prayer
    from tests.html_checks import executable_constructs
    from tests.security.xss_payloads import PAYLOADS

    leader = Leader.objects.get(slug="ada-zephyr")
    for payload in PAYLOADS:
        try:  # one author each: the pace rule allows one prayer at a time
            post_prayer(leader=leader, author=make_member(display_name=payload[:60]),
                        text=payload[:400] + " amen")
        except Refused as refused:  # a payload with nothing visible left is refused
            assert "write something" in refused.message
    LeaderPrayer.objects.update(status="published")
    Leader.objects.filter(pk=leader.pk).update(name=PAYLOADS[0][:120], party=PAYLOADS[1][:40],
                                               phone=PAYLOADS[2][:30])
    for url, query in [("/leaders/ada-zephyr/", {}), ("/leaders/", {}), ("/states/texas/", {}),
                       *[("/leaders/", {"q": payload[:90]}) for payload in PAYLOADS[:20]]]:
        html = Client().get(url, query).content.decode()
        assert executable_constructs(html) == [], (url, query)


def test_the_writer_sees_their_waiting_prayer_and_can_delete_it(client, loaded):
    writer = make_member(display_name="Grace Miller")
    client.force_login(writer)
    client.post("/leaders/ada-zephyr/pray/", {"text": "Keep her safe on the road."})
    prayer = LeaderPrayer.objects.get()
    mine = client.get("/leaders/ada-zephyr/").content.decode()
    assert "Keep her safe on the road." in mine and "waiting for our team" in mine
    others = Client()
    others.force_login(make_member())
    assert "Keep her safe on the road." not in others.get("/leaders/ada-zephyr/").content.decode()
    # Nobody else may delete it; its writer may.
    assert others.post(f"/leaders/prayers/{prayer.pk}/delete/").status_code == 403
    approve_prayers(LeaderPrayer.objects.all())
    assert "Keep her safe on the road." in others.get("/leaders/ada-zephyr/").content.decode()
    response = client.post(f"/leaders/prayers/{prayer.pk}/delete/")
    assert response.status_code == 302 and response["Location"].endswith("#recent-prayers")
    prayer.refresh_from_db()
    assert prayer.is_deleted
    for reader in (client, others, Client()):
        assert "Keep her safe" not in reader.get("/leaders/ada-zephyr/").content.decode()
    assert client.get(f"/leaders/prayers/{prayer.pk}/delete/").status_code == 405


def test_the_writer_edits_within_the_window_and_the_words_wait_again(client, loaded,
                                                                     time_machine):
    writer = make_member()
    client.force_login(writer)
    client.post("/leaders/ada-zephyr/pray/", {"text": "First words."})
    prayer = LeaderPrayer.objects.get()
    approve_prayers(LeaderPrayer.objects.all())
    assert f'href="/leaders/prayers/{prayer.pk}/edit/"' in \
        client.get("/leaders/ada-zephyr/").content.decode()
    long = client.post(f"/leaders/prayers/{prayer.pk}/edit/", {"text": "y" * 600})
    assert long.status_code == 400 and "y" * 600 in long.content.decode()
    other = Client()
    other.force_login(make_member())
    assert other.get(f"/leaders/prayers/{prayer.pk}/edit/").status_code == 403
    response = client.post(f"/leaders/prayers/{prayer.pk}/edit/", {"text": "Better words."})
    assert response.status_code == 302
    prayer.refresh_from_db()
    assert prayer.text == "Better words." and prayer.status == "pending" and prayer.edited_at
    time_machine.move_to(prayer.created_at + timedelta(minutes=16))
    late = client.post(f"/leaders/prayers/{prayer.pk}/edit/", {"text": "Too late."})
    assert late.status_code == 302
    prayer.refresh_from_db()
    assert prayer.text == "Better words."
