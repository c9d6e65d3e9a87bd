"""Every page's SQL query count, pinned, and the same with little or much content.
(Post, list, home, map and state pages are pinned beside their own tests.)"""
import pytest

from comments.services import post_comment
from partners.models import PartnerPledge
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_article, make_member, make_topic


def grow(times):
    topic = make_topic()
    texas = State.objects.get(code="TX")
    for i in range(times):
        post = make_article(title=f"Harvest news {i}", topics=[topic], states=[texas])
        member = make_member()
        mark_prayed(user=member, prayer=post.prayer)
        post_comment(author=member, target=post, body="Praying for the harvest.")
        PartnerPledge.objects.create(reference=f"P-Q{i:04d}", first_name="A", last_name="B",
                                     email=f"p{i}@example.org", amount=10, frequency="monthly",
                                     member=member)


# url → queries for an anonymous reader
PAGES = {
    # the versions, count, the page's ids, posts with prayers, topics, states,
    # their comment counts, their live prayer counts
    "/search/?q=harvest": 8,
    "/partner/": 1,  # the states for the select
    "/articles/feed/": 1,  # posts with prayers
    # the index: the newest change to a post, the counts of posts, states, leaders
    # and events
    "/sitemap.xml": 5,
    "/sitemap-articles.xml": 2,  # count and rows
    "/sitemap-states.xml": 2,  # count and rows
    "/sitemap-leaders.xml": 1,  # count (no leaders here, so no rows to read)
    "/sitemap-events.xml": 1,  # count (no events here, so no rows to read)
    "/sitemap-pages.xml": 0,
    "/robots.txt": 0,
    "/accounts/login/": 0,
    "/healthz": 3,  # SELECT 1, the newest job run, mail waiting too long
}


@pytest.mark.parametrize("times", [1, 15])
@pytest.mark.parametrize("url", list(PAGES))
def test_query_count_is_pinned_and_constant(
    client, db, running_site, django_assert_num_queries, url, times
):
    grow(times)
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code in (200, 302)


@pytest.mark.parametrize("times", [1, 15])
def test_member_search_query_count(client, db, running_site, django_assert_num_queries, times):
    grow(times)
    client.force_login(make_member())
    # + session, member (the member's marks are read with the live counts)
    with django_assert_num_queries(10):
        assert client.get("/search/?q=harvest").status_code == 200


@pytest.mark.parametrize("times", [1, 15])
def test_profile_query_count(client, db, running_site, django_assert_num_queries, times):
    grow(times)
    member = make_member()
    client.force_login(member)
    # session, member, states for the select, the member's pledges, their partner
    # record for online gifts (none here; one more for the gifts when there is one),
    # their prayer updates, and the states again for the updates' alerts
    with django_assert_num_queries(7):
        assert client.get("/accounts/profile/").status_code == 200
