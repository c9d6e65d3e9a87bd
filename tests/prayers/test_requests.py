"""The prayer wall: asking, the rules every member's writing follows, bad input,
anonymity, and pages whose cost does not grow with the wall."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import delete_account, export_member_data
from prayers.models import Prayer, PrayerMark
from prayers.services import (
    approve_requests,
    mark_prayed,
    remove_requests,
    report_request,
)
from tests.factories import make_member, make_request, make_seasoned_member

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

TEXT = "Please pray for my husband Daniel, who starts chemotherapy on Monday."


def ask(client, **fields):
    return client.post("/prayers/requests/new/", {"text": TEXT, "state": "texas", **fields})


def test_a_member_asks_and_the_request_is_a_prayer_anyone_can_pray(client, asker, texas):
    client.force_login(asker)
    form = client.get("/prayers/requests/new/").content.decode()
    assert 'value="texas" selected' in form  # their home state, chosen for them
    response = ask(client)
    prayer = Prayer.objects.requests().get()
    assert response.status_code == 302 and response["Location"] == f"/prayers/requests/{prayer.pk}/"
    assert (prayer.state, prayer.author, prayer.status) == (texas, asker, "published")
    page = client.get(response["Location"]).content.decode()
    assert "Daniel" in page and "Martha Quill" in page and "Members will be praying" in page
    # The same marks, counter and service as every prayer: one mark per member.
    other = Client()
    other.force_login(make_member())
    for _ in range(3):
        assert other.post(f"/prayers/{prayer.pk}/prayed/").status_code == 302
    prayer.refresh_from_db()
    assert prayer.prayed_count == 1 == PrayerMark.objects.filter(prayer=prayer).count()
    assert "1 person has prayed" in Client().get(prayer.get_absolute_url()).content.decode()


def test_a_request_for_the_nation(client, asker):
    client.force_login(asker)
    assert ask(client, state="").status_code == 302
    prayer = Prayer.objects.requests().get()
    assert prayer.state is None
    assert "for the nation" in client.get("/prayers/requests/?state=nation").content.decode()


def test_an_anonymous_reader_prays_and_the_click_survives_logging_in(client, asker):
    prayer = make_request(author=asker)
    response = client.post(f"/prayers/{prayer.pk}/prayed/", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    reader = make_member(email="reader@example.org")
    client.post("/accounts/login/", {"login": "reader@example.org",
                                     "password": "a-long-prayerful-password"})
    assert PrayerMark.objects.filter(user=reader, prayer=prayer).exists()


def test_anonymous_requests_never_show_who_asked(client, asker, texas):
    client.force_login(asker)
    ask(client, anonymous="on")
    nation = make_request(author=asker, text="For our country's leaders.", anonymous=True)
    prayer = Prayer.objects.requests().get(state=texas)
    pages = {url: Client().get(url).content.decode() for url in (
        "/", "/prayers/requests/", "/prayers/requests/?state=texas",
        "/prayers/requests/?sort=least", prayer.get_absolute_url(), nation.get_absolute_url(),
        "/states/texas/")}
    for url, html in pages.items():
        assert "Martha" not in html and "Quill" not in html, url
    assert "A member in Texas" in pages[prayer.get_absolute_url()]
    assert "A member</strong> · for the nation" in pages[nation.get_absolute_url()]
    # Another member who prayed for it exports the prayer, never its author.
    other = make_member()
    mark_prayed(user=other, prayer=prayer)
    assert "Martha" not in str(export_member_data(user=other))
    # The author sees, on their own page, that others do not see their name…
    own = client.get(prayer.get_absolute_url()).content.decode()
    assert "Others see “A member in Texas”, not your name." in own
    # …and has it in their own export.
    mine = export_member_data(user=asker)["prayer_requests"]
    assert {(r["for"], r["anonymous"]) for r in mine} == {("Texas", True), ("the nation", True)}
    # Staff see who asked, in admin.
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    assert "Martha Quill" in staff.get("/admin/prayers/prayerrequest/").content.decode()


def test_no_email_address_on_any_wall_page(client, asker):
    make_request(author=asker, text="Pray for me: write to asker@example.org")
    for url in ("/prayers/requests/", f"/prayers/requests/{Prayer.objects.get().pk}/"):
        assert "@example.org" not in Client().get(url).content.decode().replace(
            "asker@example.org", "")  # the member's own words are theirs to share


@pytest.mark.parametrize(("text", "message"), [
    ("", "This field is required."),
    ("   \n\t  ", "Please write something before posting."),
    ("\u200b\u200b\u2060\ufeff", "Please write something before posting."),
    ("x" * 1001, "Please keep your request to 1,000 characters; this one has 1,001."),
])
def test_empty_blank_invisible_or_long_text_is_refused_and_kept(client, asker, text, message):
    client.force_login(asker)
    response = ask(client, text=text)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert not Prayer.objects.requests().exists()
    if text.strip():
        assert text[:50] in html  # what they typed comes back


def test_an_unknown_state_is_a_clear_message(client, asker):
    client.force_login(asker)
    response = ask(client, state="atlantis")
    assert response.status_code == 400
    assert "Please choose a state from the list, or the nation." in response.content.decode()
    assert TEXT in response.content.decode()


@pytest.mark.parametrize("path", [
    "/prayers/requests/abc/", "/prayers/requests/99999999/",
    "/prayers/requests/99999999999999999999999/", "/prayers/requests/?state=atlantis",
    "/prayers/requests/?state=%00", "/prayers/requests/?page=0", "/prayers/requests/?page=x",
    "/prayers/requests/?page=2", "/prayers/requests/?page=-1", "/prayers/requests/?page=2001",
    "/prayers/requests/?page=99999999999999999999", "/prayers/requests/?page=1.5",
])
def test_bad_addresses_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_the_wall_pages_without_counting(client, asker, texas):
    for n in range(13):
        make_request(author=asker, state=texas, text=f"Request number {n}")
    first = client.get("/prayers/requests/").content.decode()
    assert "Page 1</span>" in first and " of " not in first.split("Page 1")[1][:10]
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/prayers/requests/?page=2").content.decode()
    assert "Request number 0" in second and "Request number 12" not in second
    assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second
    assert client.get("/prayers/requests/?page=3").status_code == 404


def test_an_empty_wall_is_a_page_not_a_404(client, db):
    response = client.get("/prayers/requests/?state=alaska")
    assert response.status_code == 200 and 'class="pagination"' not in response.content.decode()


def test_editing_or_deleting_someone_elses_request_is_refused(client, asker):
    prayer = make_request(author=asker)
    client.force_login(make_member())
    assert client.post(f"/prayers/requests/{prayer.pk}/edit/",
                       {"text": "Mine now", "state": ""}).status_code == 403
    assert client.post(f"/prayers/requests/{prayer.pk}/delete/").status_code == 403
    prayer.refresh_from_db()
    assert prayer.text.startswith("Please pray") and not prayer.is_deleted


def test_the_author_edits_within_15_minutes_and_deletes_any_time(client, asker):
    prayer = make_request(author=asker, created_at=timezone.now() - timedelta(minutes=5))
    client.force_login(asker)
    response = client.post(f"/prayers/requests/{prayer.pk}/edit/",
                           {"text": "Surgery went well; pray for recovery.", "state": "texas",
                            "anonymous": "on"})
    assert response.status_code == 302
    prayer.refresh_from_db()
    assert prayer.anonymous and prayer.edited_at and "recovery" in prayer.body_html
    Prayer.objects.filter(pk=prayer.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.get(f"/prayers/requests/{prayer.pk}/edit/")
    assert response.status_code == 302  # too late: told so on the request's page
    assert "can be edited for 15 minutes" in client.get(response["Location"]).content.decode()
    assert client.post(f"/prayers/requests/{prayer.pk}/delete/").status_code == 302
    prayer.refresh_from_db()
    assert prayer.is_deleted  # soft: the marks and counts stay
    assert Client().get(prayer.get_absolute_url()).status_code == 404
    assert client.post(f"/prayers/{prayer.pk}/prayed/").status_code == 404


def test_requests_follow_the_pace_of_comments(client, asker):
    client.force_login(asker)
    assert ask(client).status_code == 302
    response = ask(client, text="A second request straight away")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait 15 seconds between requests" in html
    assert "A second request straight away" in html


def test_requests_with_links_are_held_and_only_the_author_sees_them(client, asker):
    client.force_login(asker)
    ask(client, text="See https://one.example and https://two.example")
    prayer = Prayer.objects.requests().get()
    assert prayer.status == "pending"
    assert "waiting for our team" in client.get(prayer.get_absolute_url()).content.decode()
    assert Client().get(prayer.get_absolute_url()).status_code == 404
    assert prayer.pk not in [p.pk for p in Prayer.objects.visible()]
    approve_requests(Prayer.objects.filter(pk=prayer.pk))
    assert Client().get(prayer.get_absolute_url()).status_code == 200


def test_a_request_with_one_outside_link_is_held_as_the_form_says(client, asker):
    client.force_login(asker)
    form = client.get("/prayers/requests/new/").content.decode()
    assert "Requests with links to other sites are read by our team first" in form
    ask(client, text="Please pray for the fundraiser at https://one.example")
    assert Prayer.objects.requests().get().status == "pending"


def test_review_first_holds_every_request(client, asker, settings):
    settings.PRAYER_REQUESTS_REVIEW = True
    client.force_login(asker)
    response = ask(client)
    assert Prayer.objects.requests().get().status == "pending"
    assert "Our team reads every request before it appears" in client.get(
        response["Location"]).content.decode()
    assert "Daniel" not in Client().get("/prayers/requests/").content.decode()


def test_three_trusted_reports_hide_a_request_until_staff_look(asker):
    prayer = make_request(author=asker)
    for _ in range(2):
        report_request(prayer=prayer, user=make_seasoned_member(), reason="spam")
    for _ in range(3):  # new accounts reach staff but hold nothing
        report_request(prayer=prayer, user=make_member(), reason="spam")
    prayer.refresh_from_db()
    assert prayer.status == "published" and prayer.reports.count() == 5
    report_request(prayer=prayer, user=make_seasoned_member(), reason="unkind")
    prayer.refresh_from_db()
    assert prayer.status == "pending"
    # Staff keep it: its reports are settled and the count starts again.
    approve_requests(Prayer.objects.filter(pk=prayer.pk))
    prayer.refresh_from_db()
    assert (prayer.status, prayer.report_count) == ("published", 0)
    assert not prayer.reports.filter(resolved_at__isnull=True).exists()
    remove_requests(Prayer.objects.filter(pk=prayer.pk))
    assert Client().get(prayer.get_absolute_url()).status_code == 404


def test_reporting_asks_why_and_confirms(client, asker):
    prayer = make_request(author=asker)
    client.force_login(make_member())
    page = client.get(f"/prayers/requests/{prayer.pk}/report/").content.decode()
    assert "Why are you reporting it?" in page and "Send the report" in page
    assert client.post(f"/prayers/requests/{prayer.pk}/report/").status_code == 400
    response = client.post(f"/prayers/requests/{prayer.pk}/report/", {"reason": "spam"})
    assert response.status_code == 302 and prayer.reports.count() == 1


def test_staff_moderate_from_the_queue_and_the_admin_home_counts(client, asker):
    from django.contrib.auth.models import Group

    held = make_request(author=asker, status="pending")
    reported = make_request(author=asker, text="Reported one")
    report_request(prayer=reported, user=make_member(), reason="spam")
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    home = client.get("/admin/").content.decode()
    assert "<strong>1</strong> prayer request awaiting review" in home
    assert "<strong>1</strong> open report of prayer requests" in home
    queue = client.get("/admin/prayers/prayerrequest/?status__exact=pending").content.decode()
    assert "Martha Quill" in queue and "Reported one" not in queue
    response = client.post("/admin/prayers/prayerrequest/", {
        "action": "approve", "_selected_action": [held.pk]})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "published"
    report = reported.reports.get()
    client.post(f"/admin/prayers/prayerreport/{report.pk}/change/", {"_remove": "1"})
    reported.refresh_from_db()
    report.refresh_from_db()
    assert reported.status == "removed" and report.resolution == "removed"


def test_a_deleted_account_takes_its_requests_down(asker):
    prayer = make_request(author=asker)
    delete_account(user=asker)
    assert Client().get(prayer.get_absolute_url()).status_code == 404


def test_the_state_page_shows_its_newest_requests_and_asks(client, asker, texas):
    make_request(author=asker, state=texas, text="Rain for the Panhandle, please.")
    html = client.get("/states/texas/").content.decode()
    assert "Rain for the Panhandle" in html
    assert 'href="/prayers/requests/new/?state=texas"' in html
    assert "Post a prayer for your state" in html


@pytest.mark.parametrize("requests", [1, 30])
def test_wall_pages_cost_the_same_however_many_requests_and_marks(
    client, asker, texas, running_site, django_assert_num_queries, requests
):
    members = [make_member() for _ in range(3)]
    for n in range(requests):
        prayer = make_request(author=asker, state=texas, anonymous=n % 2 == 0)
        for member in members:
            mark_prayed(user=member, prayer=prayer)
    # the versions, the state asked for, whether any request is urgent now (from its
    # own small index), the page's ids (never a count of the wall), its requests with
    # states and authors, the states to filter by, the live counts
    with django_assert_num_queries(7):
        assert client.get("/prayers/requests/?state=texas&sort=least").status_code == 200
    with django_assert_num_queries(6):  # all states: no state to look up
        assert client.get("/prayers/requests/?page=1").status_code == 200
    client.force_login(members[0])
    # session, member, versions, urgent ones, ids, requests, states to filter by, the
    # live counts with the member's marks
    with django_assert_num_queries(8):
        assert client.get("/prayers/requests/").status_code == 200
    # session, member, whether the request is theirs, versions, the request, the live
    # count with the member's mark
    with django_assert_num_queries(6):
        assert client.get(prayer.get_absolute_url()).status_code == 200


def test_the_state_is_said_to_be_chosen_only_when_one_was(client, asker, db):
    client.force_login(asker)  # from Texas: their state is chosen for them
    assert "Your state is chosen for you" in client.get("/prayers/requests/new/").content.decode()
    client.force_login(make_member())  # no home state: nothing was chosen
    form = client.get("/prayers/requests/new/").content.decode()
    assert "Your state is chosen for you" not in form
    assert "Choose a state, or the whole nation" in form
    # Asked from a state's page that is not there: nothing chosen either.
    assert "Your state is chosen for you" not in client.get(
        "/prayers/requests/new/?state=atlantis").content.decode()


def test_a_request_is_headed_by_who_asks_not_by_their_state(client, asker, texas):
    prayer = make_request(author=asker, state=texas)
    page = client.get(prayer.get_absolute_url()).content.decode()
    assert "<h1>Martha Quill asks for prayer</h1>" in page
    assert "<title>Martha Quill asks for prayer" in page
    assert "Please pray for Texas" not in page
    hidden = make_request(author=asker, state=texas, anonymous=True)
    page = client.get(hidden.get_absolute_url()).content.decode()
    assert "<h1>A member in Texas asks for prayer</h1>" in page and "Martha" not in page
    gone = make_request(author=None, state=None)
    assert "<h1>A prayer request</h1>" in client.get(gone.get_absolute_url()).content.decode()


def test_reporting_a_request_for_something_else_asks_what(client, asker):
    prayer = make_request(author=asker)
    client.force_login(make_seasoned_member())
    url = f"/prayers/requests/{prayer.pk}/report/"
    assert 'name="detail"' in client.get(url).content.decode()
    empty = client.post(url, {"reason": "other"})
    assert empty.status_code == 400 and "Please say what is wrong" in empty.content.decode()
    client.post(url, {"reason": "other", "detail": "Shares a\tphone number"})
    assert prayer.reports.get().detail == "Shares a\tphone number"
