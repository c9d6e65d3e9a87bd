import pytest
from django.test import Client

from prayers.models import Prayer, PrayerMark
from prayers.services import mark_prayed
from tests.concurrency import at_once, needs_postgres
from tests.factories import make_article, make_member


def test_mark_prayed_counts_once_per_member(db):
    prayer = make_article().prayer
    alice, bob = make_member(), make_member()
    assert mark_prayed(user=alice, prayer=prayer) is True
    assert mark_prayed(user=alice, prayer=prayer) is False
    assert mark_prayed(user=bob, prayer=prayer) is True
    prayer.refresh_from_db()
    assert prayer.prayed_count == 2 == PrayerMark.objects.filter(prayer=prayer).count()


def test_saving_a_prayer_never_writes_back_an_old_count(db, member):
    loaded = make_article().prayer  # e.g. an admin form opened a moment ago
    mark_prayed(user=member, prayer=Prayer.objects.get(pk=loaded.pk))
    loaded.text = "Father, we pray with new words."
    loaded.save()
    fresh = Prayer.objects.get(pk=loaded.pk)
    assert fresh.prayed_count == 1 and fresh.text == "Father, we pray with new words."


def _fire_in_parallel(clients, url):
    return at_once([lambda c=c: c.post(url, {"next": "/"}).status_code for c in clients])


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_members_at_once_add_exactly_fifty():
    prayer = make_article().prayer
    clients = []
    for _ in range(50):
        client = Client()
        client.force_login(make_member())
        clients.append(client)
    statuses = _fire_in_parallel(clients, f"/prayers/{prayer.pk}/prayed/")
    assert statuses == [302] * 50
    prayer.refresh_from_db()
    assert prayer.prayed_count == 50 == PrayerMark.objects.filter(prayer=prayer).count()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_one_member_clicking_twenty_times_at_once_adds_one():
    prayer = make_article().prayer
    member = make_member()
    clients = []
    for _ in range(20):
        client = Client()
        client.force_login(member)
        clients.append(client)
    statuses = _fire_in_parallel(clients, f"/prayers/{prayer.pk}/prayed/")
    assert statuses == [302] * 20
    prayer.refresh_from_db()
    assert prayer.prayed_count == 1 == PrayerMark.objects.filter(prayer=prayer).count()


def test_a_member_takes_back_their_prayer_and_the_count_moves_back_once(db):
    from prayers.services import unmark_prayed

    prayer = make_article().prayer
    alice, bob = make_member(), make_member()
    mark_prayed(user=alice, prayer=prayer)
    mark_prayed(user=bob, prayer=prayer)
    assert unmark_prayed(user=alice, prayer=prayer) is True
    assert unmark_prayed(user=alice, prayer=prayer) is False  # nothing more to take back
    prayer.refresh_from_db()
    assert prayer.prayed_count == 1 == PrayerMark.objects.filter(prayer=prayer).count()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_takebacks_at_once_move_the_count_back_exactly_once():
    prayer = make_article().prayer
    member, other = make_member(), make_member()
    mark_prayed(user=member, prayer=prayer)
    mark_prayed(user=other, prayer=prayer)
    clients = []
    for _ in range(20):
        client = Client()
        client.force_login(member)
        clients.append(client)
    statuses = _fire_in_parallel(clients, f"/prayers/{prayer.pk}/unprayed/")
    assert statuses == [302] * 20
    prayer.refresh_from_db()
    assert prayer.prayed_count == 1 == PrayerMark.objects.filter(prayer=prayer).count()
