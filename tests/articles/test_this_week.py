"""The posts most prayed and most read this week: how they are ranked, kept for a
minute for every worker, and shown on the home page and the post list."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ReadDay
from articles.selectors import posts_of_the_week, prayed_ranking
from articles.services import save_post
from prayers.models import PrayerMark
from tests.factories import make_article, make_member, make_request, make_topic


@pytest.fixture
def members(db):
    return [make_member() for _ in range(6)]


def mark(post, members, *, days_ago=0, minutes_ago=1):
    """`members` each prayed the opening prayer of `post`, that long ago."""
    at = timezone.now() - timedelta(days=days_ago, minutes=minutes_ago)
    PrayerMark.objects.bulk_create(PrayerMark(user=m, prayer=post.prayer, created_at=at)
                                   for m in members)


def post(title, *, hours_ago, **extra):
    return make_article(title=title, published_at=timezone.now() - timedelta(hours=hours_ago),
                        **extra)


def read(post, readers, *, days_ago=0):
    ReadDay.objects.create(article=post, day=timezone.localdate() - timedelta(days=days_ago),
                           readers=readers)


def test_the_week_counts_marks_of_the_last_seven_days_on_published_posts(members):
    flood = post("Flood relief", hours_ago=30)
    fire = post("Wildfire crews", hours_ago=40)
    newer_tie = post("School board", hours_ago=3)
    older_tie = post("Harbor pier", hours_ago=90)
    mark(flood, members[:3])
    mark(fire, members[:2])
    mark(fire, members[2:6], days_ago=7)  # a week and a minute ago: not this week
    mark(newer_tie, members[:1])
    mark(older_tie, members[:1], days_ago=6, minutes_ago=23 * 60)  # just inside the week
    draft = post("Draft on a storm", hours_ago=5, status=Article.Status.DRAFT)
    scheduled = make_article(title="Tomorrow's post",
                             published_at=timezone.now() + timedelta(days=1))
    mark(draft, members)
    mark(scheduled, members)
    mark_request = make_request(author=members[0])
    PrayerMark.objects.bulk_create(PrayerMark(user=m, prayer=mark_request) for m in members)

    assert prayed_ranking() == [(flood.pk, 3), (fire.pk, 2), (newer_tie.pk, 1),
                                (older_tie.pk, 1)]
    week = posts_of_the_week()
    assert [(p.title, p.prayed) for p in week["prayed"]] == [
        ("Flood relief", 3), ("Wildfire crews", 2), ("School board", 1), ("Harbor pier", 1)]
    assert week["read"] == []


def test_ties_go_to_the_newer_post_then_the_newer_id(members):
    same_time = timezone.now() - timedelta(hours=2)
    first = make_article(title="First", published_at=same_time)
    second = make_article(title="Second", published_at=same_time)
    older = post("Older", hours_ago=5)
    for each in (older, first, second):
        mark(each, members[:2])
    assert prayed_ranking() == [(second.pk, 2), (first.pk, 2), (older.pk, 2)]


def test_at_most_five_of_each_list(members):
    for n in range(7):
        made = post(f"Post {n}", hours_ago=n + 1)
        mark(made, members[: 1 + n % 3])
        read(made, 10 + n)
    week = posts_of_the_week()
    assert len(week["prayed"]) == 5 and len(week["read"]) == 5
    assert [p.readers for p in week["read"]] == [16, 15, 14, 13, 12]


def test_reads_of_the_last_seven_days_count(db):
    kept = post("Kept", hours_ago=2)
    read(kept, 5)
    read(kept, 7, days_ago=6)
    read(kept, 1000, days_ago=7)  # the eighth day back
    draft = post("Draft", hours_ago=2, status=Article.Status.DRAFT)
    read(draft, 500)
    assert [(p.title, p.readers) for p in posts_of_the_week()["read"]] == [("Kept", 12)]


def test_the_rankings_are_kept_a_minute_and_a_post_taken_down_leaves_at_once(
        members, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    flood = post("Flood relief", hours_ago=3)
    fire = post("Wildfire crews", hours_ago=4)
    mark(flood, members[:2])
    mark(fire, members[:1])
    assert [p.prayed for p in posts_of_the_week()["prayed"]] == [2, 1]
    mark(fire, members[1:5])
    # Within the minute every worker shows the kept count.
    assert [p.title for p in posts_of_the_week()["prayed"]] == ["Flood relief", "Wildfire crews"]
    flood.status = Article.Status.DRAFT
    save_post(article=flood)
    # Whether a post is still published is read with the posts, not kept.
    assert [p.title for p in posts_of_the_week()["prayed"]] == ["Wildfire crews"]
    time_machine.shift(61)
    assert [(p.title, p.prayed) for p in posts_of_the_week()["prayed"]] == [
        ("Wildfire crews", 5)]


def week_section(html: str) -> str:
    found = re.search(r'<div class="this-week">.*?</div>', html, re.S)
    return found.group(0) if found else ""


def test_home_shows_both_lists_with_their_counts(client, members):
    flood = post("Flood relief", hours_ago=3)
    fire = post("Wildfire crews", hours_ago=4)
    mark(flood, members[:3])
    read(fire, 1234)
    section = week_section(client.get("/").content.decode())
    assert "<h2>Most prayed this week</h2>" in section
    assert (f'<a href="{flood.get_absolute_url()}">Flood relief</a> '
            '<span class="week-count">3 prayed this week</span>') in section
    assert "<h2>Most read this week</h2>" in section
    assert (f'<a href="{fire.get_absolute_url()}">Wildfire crews</a> '
            '<span class="week-count">1,234 read this week</span>') in section


def test_a_new_site_shows_neither_list(client, db):
    post("Flood relief", hours_ago=3)
    html = client.get("/").content.decode()
    assert "this-week" not in html and "this week</h2>" not in html


def test_a_list_with_nothing_in_it_has_no_heading(client, members):
    mark(post("Flood relief", hours_ago=3), members[:1])
    html = client.get("/").content.decode()
    assert "Most prayed this week" in html and "Most read this week" not in html


def test_the_post_list_shows_them_on_its_first_page_of_all_posts(client, members):
    topic = make_topic("Storms")
    for n in range(25):
        made = post(f"Post {n}", hours_ago=n + 1, topics=[topic] if n == 0 else [])
        if n < 2:
            mark(made, members[:2])
    assert "Most prayed this week" in client.get("/articles/").content.decode()
    assert "Most prayed this week" not in client.get("/articles/?page=2").content.decode()
    assert "Most prayed this week" not in client.get(
        f"/articles/?topic={topic.slug}").content.decode()


def test_members_and_guests_share_the_lists(client, members):
    flood = post("Flood relief", hours_ago=3)
    mark(flood, members[:2])
    guest = week_section(client.get("/").content.decode())
    client.force_login(members[0])  # one who prayed it: nothing of theirs is shown
    assert week_section(client.get("/").content.decode()) == guest != ""


@pytest.mark.parametrize("posts", [1, 12])
def test_home_and_list_query_counts_with_both_lists(client, running_site, members,
                                                    django_assert_num_queries, posts):
    for n in range(posts):
        made = post(f"Post {n}", hours_ago=n + 1)
        mark(made, members[: 1 + n % 3])
        read(made, 5 + n)
    posts_of_the_week()  # the week's rankings, kept for every worker once a minute
    # the versions, posts + prayers, topics, states, prayers, the wall's newest
    # requests, its newest praise reports, the week's rankings, the week's posts, the
    # day's leaders and (none yet) the leaders to choose from, live counts
    with django_assert_num_queries(12):
        assert client.get("/").status_code == 200
    # the versions, count, the page's ids, posts + prayers, topics, states, the posts'
    # comment counts, the topics and the states to filter by, the week's rankings,
    # the week's posts, live counts
    with django_assert_num_queries(12):
        assert client.get("/articles/").status_code == 200
