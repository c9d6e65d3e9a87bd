import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from prayers.models import PrayerMark
from prayers.selectors import weekly_prayer_counts
from states.models import State, StateCall
from states.tile_map import GRID, step_for
from tests.factories import make_article, make_comment, make_event, make_member, make_prayer
from tests.mailbox import delivered


def test_fifty_states_and_dc_are_loaded(db):
    assert State.objects.count() == 51
    dc = State.objects.get(code="DC")
    assert dc.slug == "district-of-columbia"
    assert State.objects.get(code="TX").get_absolute_url() == "/states/texas/"
    assert set(GRID) == set(State.objects.values_list("code", flat=True))
    assert len(set(GRID.values())) == 51  # no two states share a square


def mark(prayer, n, *, days_ago=0):
    members = [make_member() for _ in range(n)]
    PrayerMark.objects.bulk_create(
        PrayerMark(user=m, prayer=prayer, created_at=timezone.now() - timedelta(days=days_ago))
        for m in members
    )


@pytest.fixture
def marked(db):
    """Texas: 12 marks on a state prompt this week + 3 on a post about Texas and Ohio;
    Ohio: those 3; Maine: 60 marks, but 8 days ago."""
    texas, ohio, maine = (State.objects.get(code=c) for c in ("TX", "OH", "ME"))
    mark(make_prayer(state=texas), 12)
    mark(make_article(states=[texas, ohio]).prayer, 3)
    mark(make_prayer(state=maine), 60, days_ago=8)
    return texas, ohio, maine


def test_weekly_counts_cover_state_prompts_and_posts(marked):
    texas, ohio, maine = marked
    counts = weekly_prayer_counts()
    assert counts == {texas.pk: 15, ohio.pk: 3}
    assert weekly_prayer_counts(state_id=texas.pk) == {texas.pk: 15}


@pytest.mark.parametrize(
    ("count", "step"), [(0, 0), (1, 1), (9, 1), (10, 2), (49, 2), (50, 3), (249, 3), (250, 4)]
)
def test_shading_steps(count, step):
    assert step_for(count) == step


def test_map_has_51_accessible_shaded_tiles_and_a_plain_list(client, marked):
    html = client.get("/states/").content.decode()
    tiles = re.findall(
        r'<a href="(/states/[^"]+/)" aria-label="([^"]+)" class="tile step-(\d)">', html
    )
    assert len(tiles) == 51
    by_label = {label: (href, int(step)) for href, label, step in tiles}
    assert by_label["Texas: 15 prayers this week"] == ("/states/texas/", 2)
    assert by_label["Ohio: 3 prayers this week"] == ("/states/ohio/", 1)
    assert by_label["Maine: 0 prayers this week"] == ("/states/maine/", 0)
    assert html.count('<span class="swatch step-') == 5
    assert "250 or more" in html
    # The same data as a plain list of links.
    assert html.count('<span class="muted">') == 51
    assert re.search(r'href="/states/texas/">.*?Texas</a> <span class="muted">15 this week', html)


@pytest.mark.parametrize("extra_posts", [0, 30])
def test_map_query_count_is_constant(
    client, db, running_site, django_assert_num_queries, extra_posts
):
    texas = State.objects.get(code="TX")
    for _ in range(extra_posts):
        mark(make_article(states=[texas]).prayer, 2)
    # the versions, states, the week's counts asked of the default cache, counted
    # per state and in all, and kept there for every worker (its size, then the key
    # written in a savepoint): once a minute
    with django_assert_num_queries(10):
        assert client.get("/states/").status_code == 200
    with django_assert_num_queries(1):  # the versions: the page is kept for readers
        assert client.get("/states/").status_code == 200
    client.force_login(make_member())
    with django_assert_num_queries(3):  # session, member, versions: the page is kept
        assert client.get("/states/").status_code == 200


def test_state_page_shows_note_calls_prayers_posts_and_members(client, db):
    texas = State.objects.get(code="TX")
    texas.note = "Pray for **rain** <script>alert(1)</script>"
    texas.coordinator_name = "Maria D."
    texas.coordinator_contact = "Call the prayer line"
    texas.save()
    make_event(title="Texas Tuesday call", state=texas, repeat="weekly",
               start=_next_tuesday_at_7pm(), time_zone="America/Chicago",
               join_notes="Dial [the line](tel:5125550199)")
    older = make_prayer(text="Father, we pray for the Panhandle.", state=texas,
                        published_at=timezone.now() - timedelta(days=2))
    newer = make_prayer(text="Father, we pray for the Gulf coast.", state=texas)
    make_article(title="Rain returns to the plains", states=[texas])
    make_article(title="Snow in Vermont", states=[State.objects.get(code="VT")])
    make_member(home_state=texas)
    mark(newer, 2)

    html = client.get("/states/texas/").content.decode()
    assert "<strong>rain</strong>" in html and "<script>alert" not in html
    assert "State coordinator: <strong>Maria D.</strong>" in html
    assert "Every Tuesday at 7:00 PM Central time" in html and "Next: <time" in html
    assert 'href="/events/states/texas/calendar.ics"' in html
    assert html.find(newer.text) < html.find(older.text)  # newest first
    assert html.count('class="pray-button') >= 3  # two prompts and the post's prayer
    assert "Rain returns to the plains" in html and "Snow in Vermont" not in html
    assert "<strong>2</strong> prayers this week" in html
    assert "1 member calls Texas home" in html
    assert "Post a prayer for your state" in html and "Comments (0)" in html


def _next_tuesday_at_7pm():
    today = timezone.localdate()
    return datetime.combine(today + timedelta(days=(1 - today.weekday()) % 7 or 7), time(19, 0))


def test_next_call_date(db):
    call = StateCall(weekday=1, start_time=time(19, 0), time_zone="America/Chicago")
    # Monday 2026-11-23 noon in Chicago → Tuesday 24th 7 pm; Tuesday 8 pm → next week.
    monday = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert call.next_start(monday).isoformat() == "2026-11-24T19:00:00-06:00"
    tuesday_late = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert call.next_start(tuesday_late).isoformat() == "2026-12-01T19:00:00-06:00"


def test_unknown_state_is_a_404_with_a_link_to_the_map(client, db):
    response = client.get("/states/atlantis/")
    assert response.status_code == 404
    assert 'href="/states/"' in response.content.decode()


def test_visit_your_state_links_follow_the_home_state(client, db):
    ohio = State.objects.get(code="OH")
    assert 'href="/states/">Visit your state page to pray' in client.get("/").content.decode()
    client.force_login(make_member(home_state=ohio))
    home = client.get("/").content.decode()
    assert 'href="/states/ohio/">Visit your state page to pray' in home
    post = make_article()
    assert 'href="/states/ohio/">Visit your state page to pray.' in client.get(
        post.get_absolute_url()
    ).content.decode()


def test_new_members_are_asked_once_for_their_home_state(client, db):
    client.post(
        "/accounts/signup/",
        {"email": "newcomer@example.org", "password1": "a-lamp-unto-my-feet-105",
         "password2": "a-lamp-unto-my-feet-105", "display_name": "Newcomer"},
    )
    url = re.search(r"testserver(/accounts/confirm-email/[^/\s]+/)", delivered()[0].body)
    response = client.post(url.group(1))
    assert response["Location"] == "/accounts/welcome/?next=%2F"
    page = client.get("/accounts/welcome/").content.decode()
    assert "Which state do you call home?" in page and "Skip for now" in page
    response = client.post("/accounts/welcome/", {"home_state": State.objects.get(code="IA").pk})
    assert response["Location"] == "/states/iowa/"


def test_comments_on_a_state_page(client, member):
    iowa = State.objects.get(code="IA")
    client.force_login(member)
    response = client.post(
        "/comments/post/",
        {"target": "states.state", "object_id": iowa.pk, "body": "Praying for the harvest."},
    )
    assert response.status_code == 302 and response["Location"].startswith("/states/iowa/#comment-")
    make_comment(target=iowa, author=make_member(display_name="Ruth"), body="Amen from Ames.")
    html = client.get("/states/iowa/").content.decode()
    assert "Comments (2)" in html
    assert "Praying for the harvest." in html and "Amen from Ames." in html


@pytest.mark.parametrize("comments", [0, 40])
def test_state_page_query_count_is_constant(
    client, member, running_site, django_assert_num_queries, comments
):
    iowa = State.objects.get(code="IA")
    for _ in range(comments):
        make_comment(target=iowa, author=member)
    make_article(states=[iowa])
    make_prayer(state=iowa)
    client.get("/states/iowa/")  # the week's counts are now kept
    # the versions, state + members, prompts, the urgent requests (from their own
    # index) and the wall's newest requests, calls, the state's leaders, post count,
    # page ids, posts, topics, states, the posts' comment counts, the week's counts
    # (kept for every worker), the live counts (the thread from memory; ?page=1 is a
    # page not yet kept)
    with django_assert_num_queries(15):
        assert client.get("/states/iowa/?page=1").status_code == 200


def test_editor_keeps_a_state_page_in_admin(client, db):
    from django.contrib.auth.models import Group

    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    ohio = State.objects.get(code="OH")
    data = {
        "note": "Pray for **Ohio** farmers.",
        "coordinator_name": "Dan B.",
        "coordinator_contact": "Ask at the Columbus office",
        "calls-TOTAL_FORMS": "0", "calls-INITIAL_FORMS": "0",
        "calls-MIN_NUM_FORMS": "0", "calls-MAX_NUM_FORMS": "0",
        "prayers-TOTAL_FORMS": "1", "prayers-INITIAL_FORMS": "0",
        "prayers-MIN_NUM_FORMS": "0", "prayers-MAX_NUM_FORMS": "1000",
        "prayers-0-text": "Father, we pray for Ohio's river towns.",
        "prayers-0-published_at_0": timezone.localdate().isoformat(),
        "prayers-0-published_at_1": "00:00:00",
    }
    response = client.post(f"/admin/states/state/{ohio.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/states/ohio/").content.decode()
    assert "<strong>Ohio</strong> farmers" in html
    assert "Father, we pray for Ohio&#x27;s river towns." in html
    assert client.get(f"/admin/states/state/{ohio.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "typed,number",
    [("(512) 555-0199", "+15125550199"), ("512-555-0199", "+15125550199"),
     ("+1 512.555.0199", "+15125550199")],
)
def test_a_calls_phone_number_is_a_tap_to_call_link(typed, number, db):
    call = StateCall.objects.create(
        state=State.objects.get(code="TX"), title="Texas call", weekday=1, start_time="19:00",
        time_zone="America/Chicago", how_to_join=f"Dial {typed} and enter code 4417#.",
    )
    link = f'<a href="tel:{number}" rel="nofollow ugc noopener">{typed}</a>'
    assert link in call.how_to_join_html


def test_a_meeting_id_is_not_taken_for_a_phone_number(db):
    from library.text.markup import phone_links

    assert phone_links("Meeting ID 123 456 7890, or https://e.org/555-010-2030") == (
        "Meeting ID 123 456 7890, or https://e.org/555-010-2030")


def test_the_calls_can_be_subscribed_to_as_well_as_downloaded(client, db, settings):
    settings.SITE_URL = "https://pray.example.org"
    texas = State.objects.get(code="TX")
    make_event(title="Texas call", state=texas, repeat="weekly", time_zone="America/Chicago")
    html = client.get("/states/texas/").content.decode()
    assert 'href="webcal://pray.example.org/events/states/texas/calendar.ics"' in html
    assert 'href="/events/states/texas/calendar.ics"' in html
