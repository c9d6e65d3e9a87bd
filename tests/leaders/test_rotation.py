"""Leaders of the day: three a day, the same for everyone, every serving leader
before anyone twice, staff's pins, and leaders added later at the end of the round."""
import datetime

import pytest

from leaders.models import Leader, LeaderTurn
from leaders.services import leaders_of_the_day, pin, save_leader
from library.text.moderation import Refused
from states.models import State

DAY = datetime.date(2026, 12, 1)


def day(n):
    return DAY + datetime.timedelta(days=n)


def test_every_serving_leader_comes_before_anyone_twice(loaded):
    Leader.objects.filter(bioguide="Z000005").update(left_office_at=datetime.datetime(
        2026, 1, 1, tzinfo=datetime.UTC))
    serving = set(Leader.objects.serving().values_list("pk", flat=True))
    assert len(serving) == 7
    seen = []
    for n in range(5):
        chosen = leaders_of_the_day(day(n))
        assert len(chosen) == 3 and len({leader.pk for leader in chosen}) == 3
        assert leaders_of_the_day(day(n)) == chosen  # kept: the same for everyone
        seen += [leader.pk for leader in chosen]
    assert set(seen[:7]) == serving  # the first round: everyone once
    assert set(seen[7:14]) == serving  # then the next
    assert LeaderTurn.objects.filter(round=1).count() == 7


def test_a_pinned_leader_takes_a_place_and_it_counts_as_their_turn(loaded):
    last = Leader.objects.order_by("-id").first()
    pin(leader=last, day=day(0))
    chosen = leaders_of_the_day(day(0))
    assert last in chosen and len(chosen) == 3
    later = [leader for n in range(1, 3) for leader in leaders_of_the_day(day(n))]
    round_one = [turn.leader_id for turn in LeaderTurn.objects.filter(round=1)]
    assert len(round_one) == len(set(round_one)) == 8  # nobody twice in the round
    assert last not in later[:5]


def test_a_pin_on_a_full_day_takes_the_last_unpinned_place(loaded):
    chosen = leaders_of_the_day(day(0))
    outsider = Leader.objects.exclude(pk__in=[leader.pk for leader in chosen]).first()
    pin(leader=outsider, day=day(0))
    now = leaders_of_the_day(day(0))
    assert now == chosen[:2] + [outsider]
    for leader in now[:2]:
        pin(leader=leader, day=day(0))
    with pytest.raises(Refused, match="pinned already"):
        pin(leader=chosen[2], day=day(0))


def test_leaders_added_later_join_the_end_of_the_round(loaded):
    leaders_of_the_day(day(0))
    newcomer = save_leader(leader=Leader(name="Iris Pell", last_name="Pell",
                                         office="governor", area="TX",
                                         state=State.objects.get(code="TX")))
    order = [leader for n in range(1, 4) for leader in leaders_of_the_day(day(n))]
    assert order.index(newcomer) == 5  # after the other five still waiting this round
    assert newcomer.prayer.text.startswith("Father, we pray for Iris Pell, Governor of Texas")


def test_the_days_leaders_cost_one_query_once_chosen(loaded, django_assert_num_queries):
    # the day's turns, the leaders to choose from (with the round), the new turns,
    # the day's turns again
    with django_assert_num_queries(4):
        chosen = leaders_of_the_day(day(0))
    with django_assert_num_queries(1):
        assert leaders_of_the_day(day(0)) == chosen
        assert [leader.prayer.pk for leader in chosen]
        assert [leader.state for leader in chosen]
