"""Praying through the wall one request at a time: least prayed for first, never the
same request twice in a round, "I Prayed" recorded by the one service, the count
told at the end, bad steps refused plainly, and an order an index serves."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from library.web.ratelimit import allow
from prayers.models import URGENT_HOURS, URGENT_MOST, Prayer, PrayerMark, urgent_ids, urgent_since
from prayers.selectors import guided_queue
from prayers.services import mark_prayed
from prayers.views import PRAYED_LIMIT
from prayers.wall import SEEN_MOST
from tests.factories import make_member, make_request

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")
PAGE = "/prayers/requests/pray/"


@pytest.fixture
def praying(db):
    client = Client()
    member = make_member(display_name="Ruth Praying")
    client.force_login(member)
    client.member = member
    return client


def shown(client) -> int | None:
    """The id of the request the page shows now, or None."""
    html = client.get(PAGE).content.decode()
    found = re.search(r'name="prayer" value="(\d+)"', html)
    return int(found.group(1)) if found else None


def step(client, action, pk):
    response = client.post(PAGE, {"action": action, "prayer": pk})
    assert response.status_code == 302 and response["Location"] == PAGE
    return response


def wall_with_counts(asker, counts):
    """Requests with these prayed counts, newest first as given."""
    now = timezone.now()
    prayers = []
    for n, count in enumerate(counts):
        prayer = make_request(author=asker, text=f"Request {n} with {count} prayers.",
                              published_at=now - timedelta(minutes=n + 1))
        for _ in range(count):
            mark_prayed(user=make_member(), prayer=prayer)
        prayers.append(prayer)
    return prayers


def test_least_prayed_first_then_newest_never_twice_and_the_count_at_the_end(
        praying, asker):
    prayers = wall_with_counts(asker, [2, 0, 1, 0])
    expected = [prayers[1], prayers[3], prayers[2], prayers[0]]
    seen = []
    for n, prayer in enumerate(expected):
        pk = shown(praying)
        assert pk == prayer.pk
        assert shown(praying) == pk  # a reload shows the same one, not the next
        seen.append(pk)
        step(praying, "prayed" if n % 2 == 0 else "next", pk)
    assert len(set(seen)) == 4
    html = praying.get(PAGE).content.decode()
    assert "no more requests for you to pray for" in html
    assert set(PrayerMark.objects.filter(user=praying.member).values_list(
        "prayer_id", flat=True)) == {prayers[1].pk, prayers[2].pk}
    assert Prayer.objects.get(pk=prayers[1].pk).prayed_count == 1
    response = praying.post(PAGE, {"action": "stop"})
    assert response.status_code == 302
    html = praying.get(PAGE).content.decode()
    assert "You prayed for <strong>2 requests</strong>" in html



def test_urgent_requests_come_first_least_prayed_of_them_first_and_only_while_urgent(
        praying, asker, time_machine):
    time_machine.move_to(timezone.now())
    quiet, urgent_more, urgent_less = wall_with_counts(asker, [0, 3, 1])
    marked = timezone.now()
    Prayer.objects.filter(pk__in=[urgent_more.pk, urgent_less.pk]).update(
        urgent_asked_at=marked, urgent_at=marked)
    order = []
    for _ in range(3):
        order.append(shown(praying))
        step(praying, "next", order[-1])
    assert order == [urgent_less.pk, urgent_more.pk, quiet.pk]
    praying.post(PAGE, {"action": "stop"})
    praying.get(PAGE)  # the round's count, and a new round after it
    time_machine.move_to(marked + timedelta(hours=URGENT_HOURS, minutes=1))
    assert shown(praying) == quiet.pk  # no longer urgent: the least prayed for again


def test_a_request_shown_once_is_not_shown_again_even_when_it_becomes_least_prayed(
        praying, asker):
    first, second = wall_with_counts(asker, [0, 3])
    assert shown(praying) == first.pk
    step(praying, "next", first.pk)
    # The first stays the least prayed for; the round goes on to the second.
    assert shown(praying) == second.pk
    step(praying, "next", second.pk)
    assert shown(praying) is None


def test_the_members_own_requests_and_those_they_prayed_are_left_out(praying, asker):
    mine = make_request(author=praying.member, text="My own request.")
    prayed = make_request(author=asker, text="Prayed already.")
    mark_prayed(user=praying.member, prayer=prayed)
    other = make_request(author=make_member(), text="Someone else's request.")
    assert shown(praying) == other.pk
    assert {p.pk for p in guided_queue(member=praying.member)} == {other.pk}
    assert mine.pk and prayed.pk


def test_stopping_at_once_says_so_kindly_and_a_new_round_starts(praying, asker):
    (prayer,) = wall_with_counts(asker, [0])
    assert shown(praying) == prayer.pk
    praying.post(PAGE, {"action": "stop"})
    assert "You did not press “I Prayed” this time" in praying.get(PAGE).content.decode()
    assert shown(praying) == prayer.pk  # a new round


def test_a_stale_or_made_up_step_records_nothing(praying, asker):
    first, second = wall_with_counts(asker, [0, 0])
    assert shown(praying) == first.pk
    # Another request's id (a form from an earlier page): nothing recorded, same page.
    step(praying, "prayed", second.pk)
    assert not PrayerMark.objects.filter(user=praying.member).exists()
    assert shown(praying) == first.pk
    for bad in [{"action": "prayed", "prayer": "x"}, {"action": "prayed"},
                {"action": "prayed", "prayer": "9" * 30}]:
        assert praying.post(PAGE, bad).status_code == 302
    assert not PrayerMark.objects.filter(user=praying.member).exists()
    response = praying.post(PAGE, {"action": "shout", "prayer": first.pk})
    assert response.status_code == 400
    assert "Please choose “I Prayed”, “Next request” or “Stop”" in response.content.decode()


def test_a_request_taken_down_while_showing_is_not_marked(praying, asker):
    first, second = wall_with_counts(asker, [0, 1])
    assert shown(praying) == first.pk
    Prayer.objects.filter(pk=first.pk).update(is_deleted=True)
    step(praying, "prayed", first.pk)
    assert not PrayerMark.objects.filter(user=praying.member).exists()
    assert shown(praying) == second.pk


def test_only_members_pray_through_and_the_form_needs_its_token(db, asker):
    wall_with_counts(asker, [0])
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member())
    pk = shown(client)
    assert client.post(PAGE, {"action": "prayed", "prayer": pk}).status_code == 403
    assert not PrayerMark.objects.filter(prayer_id=pk).exists()


def test_the_round_remembers_a_bounded_number_of_requests(praying, asker):
    session = praying.session
    session["pray_through"] = {"seen": list(range(10**9, 10**9 + SEEN_MOST)), "current": None,
                               "prayed": 3}
    session.save()
    (prayer,) = wall_with_counts(asker, [0])
    assert shown(praying) == prayer.pk
    kept = praying.session["pray_through"]
    assert len(kept["seen"]) == SEEN_MOST and kept["seen"][-1] == prayer.pk
    assert kept["prayed"] == 3


def test_too_many_prayers_a_minute_are_refused_plainly(praying, asker):
    prayers = wall_with_counts(asker, [0] * 3)

    for _ in range(PRAYED_LIMIT):
        allow("prayed", praying.member.pk, limit=PRAYED_LIMIT, period=60)
    pk = shown(praying)
    response = praying.post(PAGE, {"action": "prayed", "prayer": pk})
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()
    assert not PrayerMark.objects.filter(user=praying.member).exists()
    assert pk in {p.pk for p in prayers}


@pytest.mark.parametrize("requests", [2, 30])
def test_the_page_costs_the_same_however_large_the_wall(
        praying, asker, running_site, django_assert_num_queries, requests):
    wall_with_counts(asker, [n % 3 for n in range(requests)])
    shown(praying)  # the round begins
    # session, member, the request showing
    with django_assert_num_queries(3):
        assert praying.get(PAGE).status_code == 200
    pk = praying.session["pray_through"]["current"]
    # session, member, the rate limit, the mark with its count (one statement on
    # PostgreSQL; elsewhere three in a savepoint: prayers.services.pray), the session
    # saved (in a savepoint: 3)
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 10):
        assert praying.post(PAGE, {"action": "prayed", "prayer": pk}).status_code == 302
    # session, member, an urgent request (none: one look in their own small index), the
    # next request, the session saved (in a savepoint: 3)
    with django_assert_num_queries(7):
        assert praying.get(PAGE).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_least_prayed_first_is_read_from_an_index_not_a_sort_of_the_wall(praying, asker):
    wall_with_counts(asker, [0, 1, 2])
    queue = guided_queue(member=praying.member, seen=[1, 2, 3])
    sql, params = queue[:1].query.sql_with_params()
    with connection.cursor() as cursor:
        # The table is tiny here: tell the planner to go by the index it would take on a
        # large wall, and check there is one that gives this order without a sort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "wall_least_idx" in plan and "Sort" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_urgent_requests_are_read_from_their_own_index_not_filtered_out_of_the_wall(
        praying, asker):
    """Found by a walk along the wall's order, "is any request urgent?" read the whole
    wall when none was (100,000 requests: 90 ms); from their own index, a few rows."""
    wall_with_counts(asker, [0, 1])
    query = Prayer.objects.filter(kind=Prayer.Kind.REQUEST, urgent_at__gt=urgent_since()
                                  ).order_by("-urgent_at").values_list("pk", flat=True)
    assert urgent_ids() == []
    sql, params = query[:URGENT_MOST].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "urgent_at_idx" in plan and "wall_" not in plan, plan
