"""An attacker's pass on leaders' pages: forged posts, other members' prayers, odd
addresses and input, and what a shared page may keep of one member."""
import pytest
from django.test import Client

from leaders.models import Leader, LeaderPrayer
from tests.factories import make_member


@pytest.fixture
def written(loaded):
    """A member's prayer shown on the page, and one of theirs waiting for staff."""
    writer = make_member(display_name="Wanda Writer")
    leader = Leader.objects.get(slug="ada-zephyr")
    shown = LeaderPrayer.objects.create(leader=leader, author=writer, text="Shown words.",
                                        body_html="<p>Shown words.</p>")
    waiting = LeaderPrayer.objects.create(leader=leader, author=writer, text="Waiting words.",
                                          body_html="<p>Waiting words.</p>", status="pending")
    return writer, shown, waiting


def logged_in(member, **options):
    client = Client(**options)
    client.force_login(member)
    return client


def test_posts_without_the_csrf_token_change_nothing(written):
    writer, shown, _ = written
    forged = logged_in(writer, enforce_csrf_checks=True)
    stranger = logged_in(make_member(), enforce_csrf_checks=True)
    assert forged.post("/leaders/ada-zephyr/pray/", {"text": "Forged."}).status_code == 403
    assert forged.post(f"/leaders/prayers/{shown.pk}/edit/",
                       {"text": "Forged."}).status_code == 403
    assert forged.post(f"/leaders/prayers/{shown.pk}/delete/").status_code == 403
    assert stranger.post(f"/leaders/prayers/{shown.pk}/report/",
                         {"reason": "spam"}).status_code == 403
    staff = logged_in(make_member(is_staff=True, is_superuser=True), enforce_csrf_checks=True)
    assert staff.post("/admin/leaders/leaderprayer/", {
        "action": "remove", "_selected_action": [shown.pk]}).status_code == 403
    shown.refresh_from_db()
    assert (shown.text, shown.status, shown.is_deleted, shown.report_count) == (
        "Shown words.", "published", False, 0)
    assert LeaderPrayer.objects.count() == 2


def test_another_members_prayer_cannot_be_changed_deleted_or_reported_as_theirs(written):
    writer, shown, waiting = written
    other = logged_in(make_member())
    assert other.post(f"/leaders/prayers/{shown.pk}/edit/", {"text": "Mine now."}
                      ).status_code == 403
    assert other.post(f"/leaders/prayers/{shown.pk}/delete/").status_code == 403
    assert other.post(f"/leaders/prayers/{waiting.pk}/delete/").status_code == 403
    # A waiting prayer is not there to report; the writer cannot report their own.
    assert other.post(f"/leaders/prayers/{waiting.pk}/report/",
                      {"reason": "spam"}).status_code == 404
    logged_in(writer).post(f"/leaders/prayers/{shown.pk}/report/", {"reason": "spam"})
    shown.refresh_from_db()
    assert (shown.text, shown.is_deleted, shown.report_count) == ("Shown words.", False, 0)
    assert not shown.reports.exists()


def test_a_waiting_prayer_stays_with_its_writer_whatever_the_shared_page_keeps(written):
    writer, _, _ = written
    mine = logged_in(writer).get("/leaders/ada-zephyr/")
    assert "Waiting words." in mine.content.decode()
    assert "X-Page-Cache" not in mine  # the writer's page is theirs alone, never kept
    for reader in (Client(), logged_in(make_member())):
        for _ in range(2):  # made, then kept
            html = reader.get("/leaders/ada-zephyr/").content.decode()
            assert "Shown words." in html and "Waiting words." not in html
            assert "/delete/" not in html and "/edit/" not in html


def test_an_edit_posted_without_its_text_says_what_is_missing(written):
    writer, shown, _ = written
    response = logged_in(writer).post(f"/leaders/prayers/{shown.pk}/edit/", {})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    shown.refresh_from_db()
    assert shown.text == "Shown words."


@pytest.mark.parametrize("path, status", [
    ("/leaders/prayers/0/edit/", 404),
    ("/leaders/prayers/99999999999999999999/edit/", 404),
    ("/leaders/prayers/99999999999999999999/report/", 404),
    ("/leaders/ada-zephyr/?utm_source=x", 302),
    ("/leaders/?q=%25_%25", 200),
    ("/leaders/?q=%5C%5C%27%22", 200),  # backslashes and quotes
    ("/leaders/?q=%ED%A0%80", 200),
    ("/leaders/?q=a&q=b", 200),
    ("/leaders/?q=%00", 400),
    ("/leaders/?q=" + "\ufdfa" * 100, 200),  # grows eighteenfold when folded for search
    ("/leaders/?q=" + "x" * 101, 400),
])
def test_odd_addresses_are_answered_plainly(written, path, status):
    writer, _, _ = written
    assert logged_in(writer).get(path).status_code == status


def test_odd_posts_are_answered_plainly(written):
    writer, shown, _ = written
    client = logged_in(writer)
    assert client.post("/leaders/ada-zephyr/pray/", {"text": "nul \x00 byte"}).status_code == 400
    assert client.post("/leaders/ada-zephyr/pray/", {"text": "x" * 100_000}).status_code == 400
    assert client.post("/leaders/no-such-leader/pray/", {"text": "Amen."}).status_code == 404
    assert client.post("/leaders/prayers/99999999999999999999/delete/").status_code == 404
    assert client.post(f"/leaders/prayers/{shown.pk}/report/",
                       {"reason": ["spam", "other"], "detail": "x" * 10_000}
                       ).status_code in (302, 400)
    assert LeaderPrayer.objects.count() == 2
