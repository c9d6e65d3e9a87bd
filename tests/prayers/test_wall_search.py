"""The wall by category and by search, and its praise reports: what is found (word
forms, states, answer notes) and what never is (who asked anonymously, requests held,
removed, deleted or gone past their time), bad input, and pages whose cost does not
grow with the wall. Both engines: each keeps its own index (prayers.search_index)."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.services import export_member_data
from library.pages import pagecache
from prayers import followup
from prayers.models import Prayer
from prayers.services import edit_request, mark_prayed, remove_requests
from tests.factories import make_member, make_request

pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


def found(query, **params) -> str:
    response = Client().get("/prayers/requests/", {"q": query, **params})
    assert response.status_code == 200, query
    return response.content.decode()


def wall(**params) -> str:
    response = Client().get("/prayers/requests/", params)
    assert response.status_code == 200, params
    return response.content.decode()


def answer(prayer, note):
    followup.add_update(prayer=prayer, user=prayer.author, text=note, answered=True)


def test_search_finds_a_request_by_a_form_of_its_words_and_by_its_state(asker, texas):
    make_request(author=asker, state=texas, text="Pray for the flooding along our creek.")
    make_request(author=asker, text="Pray for my mother's surgeries this week.")
    assert "flooding along our creek" in found("flooded")
    assert "surgeries" in found("surgery")
    by_state = found("Texas")
    assert "flooding along our creek" in by_state and "surgeries" not in by_state
    # Every word must be there.
    assert "flooding" not in found("flood surgery")
    assert "No request on the wall holds those words" in found("zeppelin")


def test_an_answer_note_is_found_and_the_answered_request_with_it(asker, texas):
    prayer = make_request(author=asker, state=texas, text="Please pray for my job interview.")
    answer(prayer, "They offered me the position at the cannery!")
    html = found("canneries")
    assert "job interview" in html and "position at the cannery" in html


def test_who_asked_anonymously_is_never_found(asker, texas):
    make_request(author=asker, state=texas, anonymous=True, text="Pray for my brother.")
    assert "Pray for my brother" in wall()
    for query in ["Martha", "Quill", "Martha Quill", asker.email.split("@")[0]]:
        assert "Pray for my brother" not in found(query), query


def test_held_removed_deleted_and_expired_requests_are_never_found(asker, texas):
    now = timezone.now()
    make_request(author=asker, state=texas, text="Visible lighthouse request.")
    make_request(author=asker, text="Held lighthouse request.", status=Prayer.Status.PENDING)
    removed = make_request(author=asker, text="Removed lighthouse request.")
    remove_requests(Prayer.objects.filter(pk=removed.pk))
    make_request(author=asker, text="Deleted lighthouse request.", is_deleted=True)
    make_request(author=asker, text="Expired lighthouse request.",
                 published_at=now - timedelta(days=40), expires_at=now - timedelta(days=10))
    make_request(author=asker, text="Marked expired lighthouse request.", expired=True)
    html = found("lighthouse")
    assert "Visible lighthouse" in html
    for gone in ["Held", "Removed", "Deleted", "Expired", "Marked expired"]:
        assert f"{gone} lighthouse" not in html, gone
    # Nor through a state or category filter, nor on the second page.
    assert "Held lighthouse" not in found("lighthouse", state="nation")


def test_an_edited_request_is_found_by_its_new_words_only(asker, texas):
    prayer = make_request(author=asker, state=texas, text="Pray for the orchard.")
    edit_request(prayer=prayer, user=asker, text="Pray for the vineyard.", state=None)
    pagecache.retire()
    assert "vineyard" in found("vineyard")
    assert "vineyard" not in found("orchard") and "vineyard" not in found("Texas")


@pytest.mark.parametrize("query", [
    "'; DROP TABLE prayers_prayer; --", "\" OR 1=1 --", "NEAR(flood rain)", "flood*",
    "AND OR NOT", "-", "(((", "🙏🏽 ‮ ⁦ \u200b", "ｆｌｏｏｄ", "ß İ ǅ", "%", "_",
    "a" * 200, "flood " * 30,
])
def test_odd_or_hostile_searches_answer_plainly(asker, texas, query):
    make_request(author=asker, state=texas, text="Pray for the flood.")
    response = Client().get("/prayers/requests/", {"q": query})
    assert response.status_code == 200
    assert Prayer.objects.requests().count() == 1


@pytest.mark.parametrize("query,message", [
    ("pray " * 50, "at most 200 characters"),
    ("a\x00b", "characters we cannot look for"),
])
def test_too_long_or_broken_searches_get_a_clear_400(db, query, message):
    response = Client().get("/prayers/requests/", {"q": query})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "\x00" not in html


def test_a_request_has_a_category_chosen_when_asked(client, asker, texas):
    client.force_login(asker)
    form = client.get("/prayers/requests/new/").content.decode()
    assert 'name="category"' in form and "Comfort and grief" in form
    response = client.post("/prayers/requests/new/", {
        "text": "Pray for my father's heart.", "state": "texas", "category": "health"})
    assert response.status_code == 302
    prayer = Prayer.objects.requests().get()
    assert prayer.category == "health"
    assert "Health" in client.get(prayer.get_absolute_url()).content.decode()
    (exported,) = export_member_data(user=asker)["prayer_requests"]
    assert exported["about"] == "Health"
    # Optional: none is fine.
    client.force_login(make_member())
    client.post("/prayers/requests/new/", {"text": "Pray for our town.", "state": "texas"})
    assert Prayer.objects.requests().filter(category="").count() == 1


def test_a_category_that_is_not_one_comes_back_with_a_message_and_the_text(client, asker):
    client.force_login(asker)
    response = client.post("/prayers/requests/new/", {
        "text": "Pray for my exams.", "state": "texas", "category": "weather"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose one of the listed topics" in html and "Pray for my exams." in html
    assert not Prayer.objects.requests().exists()


def test_category_and_state_filters_combine(asker, texas):
    ohio_member = make_member()
    make_request(author=asker, state=texas, category="health", text="Texas health request.")
    make_request(author=asker, state=texas, category="family", text="Texas family request.")
    make_request(author=ohio_member, category="health", text="Nation health request.")
    html = wall(category="health")
    assert "Texas health" in html and "Nation health" in html and "Texas family" not in html
    assert "Prayer wall: Health" in html
    html = wall(category="health", state="texas")
    assert "Texas health" in html and "Nation health" not in html and "Texas family" not in html
    html = wall(category="health", state="nation")
    assert "Nation health" in html and "Texas health" not in html
    html = wall(category="health", state="texas", sort="least")
    assert "Texas health" in html and "Texas family" not in html
    html = found("request", category="family", state="texas")
    assert "Texas family" in html and "health request" not in html


@pytest.mark.parametrize("category", ["praise", "HEALTH", "health%00", "x" * 300, "<b>"])
def test_an_unknown_category_is_a_clear_404(db, category):
    response = Client().get("/prayers/requests/", {"category": category})
    assert response.status_code == 404
    html = response.content.decode()
    assert "We have no category by that name" in html and "<b>" not in html
    assert Client().get("/prayers/requests/answered/", {"category": category}
                        ).status_code == 404


def test_staff_change_a_category_in_admin_and_the_wall_follows(client, asker, texas):
    prayer = make_request(author=asker, state=texas, category="other",
                          text="Pray for my new neighbours.")
    assert "new neighbours" in wall(category="other")
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    page = f"/admin/prayers/prayerrequest/{prayer.pk}/change/"
    response = client.post(page, {"status": "published", "category": "family"})
    assert response.status_code == 302, response.content.decode()[:2000]
    prayer.refresh_from_db()
    assert prayer.category == "family"
    assert "new neighbours" not in wall(category="other")
    assert "new neighbours" in wall(category="family")


def test_the_answered_address_of_the_wall_is_the_praise_page(db):
    response = Client().get("/prayers/requests/", {"answered": "1", "state": "texas"})
    assert response.status_code == 301
    assert response["Location"] == "/prayers/requests/answered/?state=texas"


def test_praise_reports_newest_answer_first_with_notes_and_the_home_page_shows_three(
        asker, texas):
    prayers = [make_request(author=make_member(), state=texas, text=f"Request number {n}.")
               for n in range(5)]
    for n in [3, 0, 4, 1]:  # answered in this order: 1 is the newest answer
        answer(prayers[n], f"Answer note {n}: thank you!")
    html = Client().get("/prayers/requests/answered/").content.decode()
    positions = [html.index(f"Answer note {n}") for n in [1, 4, 0, 3]]
    assert positions == sorted(positions)
    assert "Request number 2" not in html
    assert "Praise reports" in html
    home = Client().get("/").content.decode()
    assert all(f"Answer note {n}" in home for n in [1, 4, 0])
    assert "Answer note 3" not in home
    assert 'href="/prayers/requests/answered/"' in home


@pytest.mark.parametrize("requests", [2, 30])
def test_category_search_and_praise_pages_cost_the_same_however_many_requests(
    client, asker, texas, running_site, django_assert_num_queries, requests
):
    members = [make_member() for _ in range(3)]
    for n in range(requests):
        prayer = make_request(author=make_member(), state=texas, anonymous=n % 2 == 0,
                              category="health", text=f"Pray for the harvest, field {n}.")
        for member in members:
            mark_prayed(user=member, prayer=prayer)
        if n % 3 == 1:
            answer(prayer, "The rain came in time. Praise God!")
    # the versions, the page's ids, its requests with states and authors, the states
    # to filter by, the live counts; a category's page also looks for urgent requests
    # to put first (none here)
    with django_assert_num_queries(6):
        assert client.get("/prayers/requests/?category=health").status_code == 200
    with django_assert_num_queries(5):
        assert client.get("/prayers/requests/?q=harvests").status_code == 200
    with django_assert_num_queries(5):
        assert client.get("/prayers/requests/answered/").status_code == 200
    # + the state asked for
    with django_assert_num_queries(6):
        assert client.get("/prayers/requests/?category=health&state=texas&q=field"
                          ).status_code == 200
    client.force_login(members[0])
    # the kept render: session, member, versions, the live counts with the member's marks
    with django_assert_num_queries(4):
        assert client.get("/prayers/requests/?category=health").status_code == 200
    with django_assert_num_queries(4):
        assert client.get("/prayers/requests/?q=harvests").status_code == 200
