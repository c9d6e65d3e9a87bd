"""Staff keep the leaders in admin: a governor added with their prayer, a leader
pinned to a day, members' prayers approved from the queue."""
import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from leaders.models import Leader, LeaderPrayer, LeaderTurn
from leaders.services import leaders_of_the_day
from states.models import State
from tests.factories import make_member


@pytest.fixture
def staff(db):
    editor = make_member(display_name="Esther Editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    return client


def test_an_editor_adds_a_governor_with_their_prayer(staff, loaded):
    texas = State.objects.get(code="TX")
    response = staff.post("/admin/leaders/leader/add/", {
        "name": "Iris Pell", "first_name": "Iris", "last_name": "Pell", "office": "governor",
        "state": texas.pk, "area": "", "party": "Independent", "website": "gov.example.org",
        "phone": "(512) 555-0100", "contact_form": "", "bioguide": "",
        "prayer_text": "Father, give Governor Pell a steady hand.",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    governor = Leader.objects.get(name="Iris Pell")
    assert governor.bioguide is None and governor.area == "TX"
    assert governor.website == "https://gov.example.org" and governor.tel == "tel:+15125550100"
    assert governor.prayer.text == "Father, give Governor Pell a steady hand."
    assert governor.prayer.state == texas
    html = Client().get("/states/texas/").content.decode()
    assert "Governor</h3>" in html and f'href="/leaders/{governor.slug}/"' in html
    for page in ("/admin/leaders/leader/", f"/admin/leaders/leader/{governor.pk}/change/",
                 "/admin/leaders/leaderturn/", "/admin/leaders/leaderturn/add/",
                 "/admin/leaders/leaderprayer/", "/admin/leaders/leaderprayerreport/",
                 "/admin/"):
        assert staff.get(page).status_code == 200, page


def test_a_governor_needs_a_state(staff, loaded):
    response = staff.post("/admin/leaders/leader/add/", {
        "name": "Nowhere Person", "office": "governor", "state": "", "prayer_text": ""})
    assert response.status_code == 200 and "A governor needs their state." in \
        response.content.decode()
    assert not Leader.objects.filter(office="governor").exists()


def test_an_editor_pins_a_leader_to_a_day(staff, loaded):
    day = datetime.date(2027, 1, 20)
    leader = Leader.objects.order_by("-id").first()
    response = staff.post("/admin/leaders/leaderturn/add/", {"day": "2027-01-20",
                                                            "leader": leader.pk})
    assert response.status_code == 302
    assert LeaderTurn.objects.get(day=day).pinned
    assert leader in leaders_of_the_day(day)


def test_an_editor_approves_prayers_from_the_queue(staff, loaded):
    leader = Leader.objects.get(slug="ada-zephyr")
    prayer = LeaderPrayer.objects.create(leader=leader, author=make_member(), text="Amen.",
                                         body_html="<p>Amen.</p>", status="pending")
    assert "1</strong> prayer for a leader awaiting review" in staff.get("/admin/").content.decode()
    staff.post("/admin/leaders/leaderprayer/", {"action": "approve",
                                                "_selected_action": [prayer.pk]})
    prayer.refresh_from_db()
    assert prayer.status == "published"
    assert "Amen." in Client().get("/leaders/ada-zephyr/").content.decode()


def test_a_prayer_staff_send_back_to_the_queue_leaves_the_page_at_once(staff, loaded):
    """Staff who take a prayer off the page by setting it to "awaiting moderation" on
    its own admin page see it gone for every reader, not after the kept page ends."""
    leader = Leader.objects.get(slug="ada-zephyr")
    prayer = LeaderPrayer.objects.create(leader=leader, author=make_member(),
                                         text="Words to look at again.",
                                         body_html="<p>Words to look at again.</p>")
    reader = Client()
    assert "Words to look at again." in reader.get("/leaders/ada-zephyr/").content.decode()
    assert reader.get("/leaders/ada-zephyr/")["X-Page-Cache"] == "hit"
    response = staff.post(f"/admin/leaders/leaderprayer/{prayer.pk}/change/",
                          {"status": "pending"})
    assert response.status_code == 302
    assert LeaderPrayer.objects.get(pk=prayer.pk).status == "pending"
    assert "Words to look at again." not in reader.get("/leaders/ada-zephyr/").content.decode()


def test_a_pin_staff_take_back_leaves_the_home_page_at_once(staff, loaded):
    """A leader pinned to today by mistake, and the pin deleted in admin: the home
    page every reader shares names them no more, not after the kept page ends."""
    today = timezone.localdate()
    leaders_of_the_day(today)
    pinned = Leader.objects.get(slug="hale-rowan")
    if pinned in leaders_of_the_day(today):  # pin one who was not chosen already
        pinned = Leader.objects.exclude(pk__in=[leader.pk for leader in
                                                leaders_of_the_day(today)]).first()
    staff.post("/admin/leaders/leaderturn/add/", {"day": today.isoformat(),
                                                 "leader": pinned.pk})
    reader = Client()
    assert pinned.name in reader.get("/").content.decode()
    assert reader.get("/")["X-Page-Cache"] == "hit"
    turn = LeaderTurn.objects.get(day=today, leader=pinned)
    response = staff.post(f"/admin/leaders/leaderturn/{turn.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not LeaderTurn.objects.filter(pk=turn.pk).exists()
    chosen = leaders_of_the_day(today)
    assert pinned not in chosen
    assert pinned.name not in reader.get("/").content.decode()
