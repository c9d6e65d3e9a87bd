"""The leaders' list with its search, each leader's page, a state's leaders, and
their query counts as shared pages."""
import re

import pytest

from leaders.models import Leader
from leaders.services import save_leader
from states.models import State
from tests.factories import make_member


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_list_puts_the_administration_first_then_senate_and_house_by_state(client,
                                                                               loaded):
    response = client.get("/leaders/")
    assert response.status_code == 200
    html, at = text_of(response), 0
    for words in ("Pray for our Administration", "Gale Sorrel", "Hale Rowan", "The Senate",
                  "Texas", "Bram Yarrow", "Ada Zephyr", "Washington", "Edda Umber",
                  "The House of Representatives", "Puerto Rico", "Fenn Tansy", "Texas",
                  "Dov Vetch", "At large", "Cora Willow", "District 7"):
        at = html.index(words, at)  # each after the one before


@pytest.mark.parametrize(("query", "found", "missing"), [
    ("zephyr", ["Ada Zephyr"], ["Bram Yarrow", "Gale Sorrel"]),
    ("TX", ["Ada Zephyr", "Cora Willow"], ["Edda Umber"]),
    ("washington", ["Edda Umber"], ["Ada Zephyr"]),
    ("Zéphyr", ["Ada Zephyr"], []),
])
def test_search_by_name_or_state(client, loaded, query, found, missing):
    response = client.get("/leaders/", {"q": query})
    html = text_of(response)
    assert response.status_code == 200
    assert all(name in html for name in found) and not any(name in html for name in missing)


@pytest.mark.parametrize(("query", "status"), [
    ("", 200), ("   ", 200), ("x" * 5000, 400), ("a\x00b", 400), ("🙏\u202e\u0301", 200),
    ("' OR 1=1; DROP TABLE leaders_leader; --", 200), ("%_%", 200), ("\\", 200),
])
def test_bad_searches_answer_a_page(client, loaded, query, status):
    response = client.get("/leaders/", {"q": query})
    assert response.status_code == status
    assert "Find a leader by name or state" in response.content.decode()
    assert Leader.objects.count() == 8


def test_a_leaders_page_and_an_unknown_one(client, loaded):
    response = client.get("/leaders/cora-willow/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Representative for Texas’s 7th district" in html
    assert 'href="tel:+12022240001"' in html and "https://example.org/contact" in html
    assert "January 3, 2025 to January 3, 2031" in html and "Independent" in html
    assert "I Prayed" in html and "Be the first to pray" in html
    assert client.get("/leaders/no-such-leader/").status_code == 404
    assert client.get("/leaders/%E2%80%AE/").status_code == 404


def test_texas_names_its_senators_and_representatives_with_links(client, loaded):
    html = client.get("/states/texas/").content.decode()
    for leader in Leader.objects.filter(area="TX"):
        assert f'<a href="/leaders/{leader.slug}/">{leader.name}</a>' in html
    assert "Edda Umber" not in html
    assert re.search(r"Senators</h3>\s*<ul[^>]*>.*Bram Yarrow.*Ada Zephyr", html, re.S)


def grow(times):
    texas = State.objects.get(code="TX")
    for number in range(times):
        save_leader(leader=Leader(name=f"Extra Person{number}", last_name=f"Person{number}",
                                  office="representative", area="TX", district=number + 1,
                                  state=texas))


@pytest.mark.parametrize("times", [0, 12])
def test_list_and_page_query_counts_are_pinned(client, loaded, running_site,
                                               django_assert_num_queries, times):
    grow(times)
    with django_assert_num_queries(2):  # the versions, the leaders with their states
        assert client.get("/leaders/").status_code == 200
    with django_assert_num_queries(1):  # the versions: the page is kept for readers
        assert client.get("/leaders/").status_code == 200
    # the versions, the leader with their state and prayer, the written prayers, the
    # live count
    with django_assert_num_queries(4):
        assert client.get("/leaders/ada-zephyr/").status_code == 200
    client.force_login(make_member())
    # session, member, whether they wrote a prayer for this leader, versions, live
    # count and mark
    with django_assert_num_queries(5):
        assert client.get("/leaders/ada-zephyr/").status_code == 200
    with django_assert_num_queries(3):  # session, member, versions: the list is kept
        assert client.get("/leaders/").status_code == 200


def test_the_map_counts_prayers_for_a_states_leaders(client, loaded):
    from prayers.selectors import weekly_prayer_counts
    from prayers.services import mark_prayed

    texas = State.objects.get(code="TX")
    for slug in ("ada-zephyr", "cora-willow", "gale-sorrel"):  # the President has no state
        mark_prayed(user=make_member(), prayer=Leader.objects.get(slug=slug).prayer)
    assert weekly_prayer_counts() == {texas.pk: 2}
    assert "Texas: 2 prayers this week" in client.get("/states/").content.decode()
    # A leader's prayer is not one of the state's own prompts on its page.
    assert "Father, we pray for Ada Zephyr" not in client.get("/states/texas/").content.decode()


def test_the_sitemap_lists_the_leaders(client, loaded):
    from tests.articles.test_views import every_sitemap_entry

    entries = every_sitemap_entry(client)
    assert any(entry.endswith("/leaders/") for entry in entries.split("\n"))
    for leader in Leader.objects.all():
        assert leader.get_absolute_url() in entries


@pytest.mark.parametrize("reader_kind", ["guest", "member", "prayed"])
def test_a_shared_leader_page_is_the_page_rendered_for_the_reader_alone(loaded, reader_kind):
    from django.contrib.auth.models import AnonymousUser

    from prayers.services import mark_prayed
    from tests.comments.test_thread_cache import both_ways, unmasked

    leader = Leader.objects.get(slug="ada-zephyr")
    reader = AnonymousUser() if reader_kind == "guest" else make_member()
    if reader_kind == "prayed":
        mark_prayed(user=reader, prayer=leader.prayer)
    for path in ("/leaders/ada-zephyr/", "/leaders/", "/"):
        fresh, shared, again = both_ways(path, reader, AnonymousUser())
        assert unmasked(shared) == unmasked(fresh) == unmasked(again), path
    if reader_kind == "prayed":
        assert "You prayed" in shared
