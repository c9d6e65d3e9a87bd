"""Urgent requests: the requester asks, staff approve in admin, and the request heads
the wall (all, and its state's) and its state's page for 48 hours, in words."""
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from prayers.models import Prayer
from prayers.services import approve_urgent
from tests.factories import make_member, make_request

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def cards(html):
    """The requests of a page, in order, by id."""
    return [int(pk) for pk in re.findall(r'id="prayer-(\d+)" aria-label="Prayer request"', html)]


def test_asked_when_posting_approved_by_staff_and_first_for_48_hours(asker, texas,
                                                                     admin_client, time_machine):
    client = logged_in(asker)
    response = client.post("/prayers/requests/new/", {"text": "Pray for my son in surgery",
                                                      "state": "texas", "urgent": "on"})
    urgent = Prayer.objects.requests().get()
    assert response.status_code == 302 and urgent.urgent_asked_at and urgent.urgent_at is None
    page = client.get(urgent.get_absolute_url()).content.decode()
    assert "You asked for it to be marked urgent" in page
    time_machine.shift(timedelta(minutes=5))
    newer = make_request(author=make_member(), state=texas, text="A newer request")
    wall = Client().get("/prayers/requests/").content.decode()
    assert cards(wall)[0] == newer.pk and "Urgent" not in wall  # not before staff agree

    response = admin_client.post("/admin/prayers/prayerrequest/", {
        "action": "mark_urgent", "_selected_action": [urgent.pk, newer.pk]})
    assert response.status_code == 302
    urgent.refresh_from_db()
    newer.refresh_from_db()
    assert urgent.urgent_at is not None and newer.urgent_at is None  # only one asked
    assert LogEntry.objects.filter(object_id=str(urgent.pk),
                                   change_message__startswith="Marked urgent").exists()
    for url in ("/prayers/requests/", "/prayers/requests/?state=texas",
                "/prayers/requests/?sort=least", "/states/texas/"):
        page = Client().get(url).content.decode()
        assert cards(page)[0] == urgent.pk, url
        assert '<strong class="urgent-tag">Urgent</strong>' in page, url  # in words
    # 48 hours on, it takes its place among the others again.
    time_machine.shift(timedelta(hours=48, minutes=1))
    wall = Client().get("/prayers/requests/").content.decode()
    assert cards(wall)[:2] == [newer.pk, urgent.pk] and "urgent-tag" not in wall


def test_a_requester_asks_later_and_only_once(asker, texas):
    prayer = make_request(author=asker, state=texas)
    client = logged_in(asker)
    page = client.get(prayer.get_absolute_url()).content.decode()
    assert "Ask for it to be marked urgent" in page
    assert client.post(f"/prayers/requests/{prayer.pk}/urgent/").status_code == 302
    prayer.refresh_from_db()
    asked = prayer.urgent_asked_at
    assert asked is not None
    again = client.post(f"/prayers/requests/{prayer.pk}/urgent/")
    assert again.status_code == 400 and "asked for this request to be marked urgent already" \
        in again.content.decode()
    prayer.refresh_from_db()
    assert prayer.urgent_asked_at == asked


def test_a_forged_urgent_post_for_someone_elses_request_changes_nothing(asker, texas):
    prayer = make_request(author=asker, state=texas)
    held = make_request(author=asker, state=texas, status=Prayer.Status.PENDING)
    stranger = logged_in(make_member())
    assert stranger.post(f"/prayers/requests/{prayer.pk}/urgent/").status_code == 403
    assert stranger.post(f"/prayers/requests/{held.pk}/urgent/").status_code == 404
    assert Client().post(f"/prayers/requests/{prayer.pk}/urgent/").status_code == 302
    assert not Prayer.objects.filter(urgent_asked_at__isnull=False).exists()
    assert "Ask for it to be marked urgent" not in stranger.get(
        prayer.get_absolute_url()).content.decode()


def test_staff_cannot_mark_urgent_what_nobody_asked_or_what_is_held(asker, texas):
    plain = make_request(author=asker, state=texas)
    held = make_request(author=asker, state=texas, status=Prayer.Status.PENDING,
                        urgent_asked_at=plain.created_at)
    assert approve_urgent(Prayer.objects.filter(pk__in=[plain.pk, held.pk])) == []
    assert not Prayer.objects.filter(urgent_at__isnull=False).exists()
