"""The email archive on the web: past daily emails, weekly digests and the staff
letters marked for it, each on a page of its own with no reader's own links, and
"Read this email on the web" in the mails that have such a page."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from library.text.markup import render_markdown
from prayers.services import mark_prayed
from states.models import State
from tests.factories import make_article, make_member
from tests.mailbox import delivered
from updates import editions, mailings
from updates.models import Edition, Mailing, Subscriber

EASTERN = ZoneInfo("America/New_York")


def reader(email="ruth.reader@example.org", **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(),
                                     **(choices or {"daily": True, "weekly": True}))


def letter(subject="A word for the week", *, shown=True, status=Mailing.Status.SENT,
           recorded=3, started_at=None, **fields):
    body = fields.pop("body", "Thank you for **praying** with us.")
    return Mailing.objects.create(subject=subject, body=body,
                                  body_html=render_markdown(body), status=status,
                                  recorded=recorded, show_in_archive=shown,
                                  started_at=started_at or timezone.now(), **fields)


@pytest.fixture
def sunday(time_machine):
    """Sunday, December 6, 2026, 7:10 am Eastern: after midnight UTC, so a date
    read in UTC would be a day off in the evening, not now."""
    time_machine.move_to(datetime(2026, 12, 6, 7, 10, tzinfo=EASTERN), tick=False)


def daily_sent(title="Levee holds"):
    post = make_article(title=title, published_at=timezone.now() - timedelta(minutes=30))
    call_command("send_updates", "daily")
    return post, Edition.objects.get(kind="daily")


def test_the_archive_lists_what_went_out_and_nothing_else(client, db, sunday):
    reader()
    reader("texan@example.org", state=State.objects.get(code="TX"))
    post, daily = daily_sent()
    call_command("send_updates", "weekly")
    weekly = Edition.objects.get(kind="weekly")
    # Made but mailed to no one, and a state alert: neither is in the archive.
    unsent = Edition.objects.create(kind="daily", since=daily.until - timedelta(days=2),
                                    until=daily.until - timedelta(days=1))
    alert = Edition.objects.create(kind="state", state=State.objects.get(code="TX"),
                                   since=daily.since, until=daily.until, sent_count=1,
                                   done_at=timezone.now())
    public = letter("Thank you for a year of prayer",
                    started_at=timezone.now() + timedelta(minutes=5))
    letter("Only for those who prayed", shown=False)
    letter("Still a draft", status=Mailing.Status.DRAFT, recorded=0)
    html = client.get("/updates/archive/").content.decode()
    assert daily.sent_count == 1 and weekly.sent_count == 1
    assert 'href="/updates/archive/daily/2026-12-06/"' in html
    assert 'href="/updates/archive/weekly/2026-12-06/"' in html
    assert f'href="/updates/archive/letters/{public.pk}/"' in html
    assert "Thank you for a year of prayer" in html
    assert "Only for those who prayed" not in html and "Still a draft" not in html
    assert "2026-12-05" not in html and unsent.pk and alert.pk
    assert "/updates/archive/state" not in html
    # Newest first: the letter went out after the editions.
    assert html.index("Thank you for a year") < html.index("/updates/archive/daily/")
    assert client.get("/updates/").content.decode().count('href="/updates/archive/"') == 1


def test_the_archive_is_paged_newest_first(client, db, settings):
    now = timezone.now()
    for n in range(14):
        letter(f"Letter number {n}", started_at=now - timedelta(days=n))
    first = client.get("/updates/archive/").content.decode()
    assert "Letter number 0<" in first and "Letter number 11<" in first
    assert "Letter number 12<" not in first and "?page=2" in first
    second = client.get("/updates/archive/?page=2").content.decode()
    assert "Letter number 12<" in second and "Letter number 13<" in second
    assert "Letter number 0<" not in second
    assert client.get("/updates/archive/?page=3").status_code == 404
    assert client.get("/updates/archive/?page=x").status_code == 404


def test_an_editions_page_shows_its_posts_and_no_readers_own_links(client, db, sunday):
    reader()
    post, daily = daily_sent()
    (mail,) = delivered()
    assert "/updates/leave/" in mail.body and "/updates/pray/" in mail.body
    response = client.get("/updates/archive/daily/2026-12-06/")
    html = response.content.decode()
    assert response.status_code == 200
    assert post.title in html and post.prayer.text in html
    assert f'href="{post.get_absolute_url()}' in html or post.get_absolute_url() in html
    assert "/updates/leave/" not in html and "/updates/pray/" not in html
    assert "@@" not in html and 'style="' not in html
    assert "Sunday, December 6, 2026" in html


def test_a_weekly_digests_page_shows_its_week(client, db, sunday):
    reader()
    post = make_article(title="Harvest week", published_at=timezone.now() - timedelta(hours=2))
    call_command("send_updates", "weekly")
    html = client.get("/updates/archive/weekly/2026-12-06/").content.decode()
    assert "Harvest week" in html and post.prayer.text in html
    assert "/updates/leave/" not in html and "/updates/pray/" not in html


def test_a_letters_page_shows_it_as_sent(client, db):
    post = make_article(title="Floods in the valley")
    shown = letter("After the floods", body="We prayed **together**.", post=post)
    html = client.get(f"/updates/archive/letters/{shown.pk}/").content.decode()
    assert "After the floods" in html and "<strong>together</strong>" in html
    assert post.get_absolute_url() in html
    assert "/updates/leave/" not in html and "/updates/pray/" not in html


@pytest.mark.parametrize("address", [
    "/updates/archive/daily/2026-12-05/",  # no edition that day
    "/updates/archive/daily/2026-13-40/",
    "/updates/archive/monthly/2026-12-06/",
    "/updates/archive/state/2026-12-06/",
    "/updates/archive/letters/999999/",
])
def test_unknown_emails_are_not_found(client, db, sunday, address):
    reader()
    daily_sent()
    assert client.get(address).status_code == 404


def test_letters_not_marked_for_the_archive_or_not_sent_are_not_found(client, db):
    for hidden in (letter(shown=False), letter(status=Mailing.Status.DRAFT, recorded=0),
                   letter(status=Mailing.Status.SENT, recorded=0)):
        assert client.get(f"/updates/archive/letters/{hidden.pk}/").status_code == 404


def test_an_edition_mailed_to_no_one_is_not_found(client, db, sunday):
    Edition.objects.create(kind="daily", since=timezone.now() - timedelta(days=1),
                           until=timezone.now())
    assert client.get("/updates/archive/daily/2026-12-06/").status_code == 404


def test_the_editions_mail_links_to_its_page_in_both_parts(db, sunday, settings):
    reader()
    daily_sent()
    (mail,) = delivered()
    link = f"{settings.SITE_URL}/updates/archive/daily/2026-12-06/"
    assert f"Read this email on the web: {link}" in mail.body
    assert f'href="{link}"' in mail.alternatives[0][0]
    assert "Read this email on the web" in mail.alternatives[0][0]


def test_a_state_alert_has_no_web_link(db, sunday):
    reader("texan@example.org", state=State.objects.get(code="TX"))
    make_article(title="Storm in Texas", states=[State.objects.get(code="TX")],
                 published_at=timezone.now() - timedelta(minutes=30))
    editions.send(Edition.Kind.STATE, state=State.objects.get(code="TX"))
    editions.fan_out()
    (mail,) = delivered()
    assert "Read this email on the web" not in mail.body
    assert "Read this email on the web" not in mail.alternatives[0][0]


@pytest.mark.parametrize("shown", [True, False])
def test_a_letters_mail_links_to_its_page_only_when_it_is_in_the_archive(db, settings, shown):
    reader()
    mailing = letter(shown=shown, status=Mailing.Status.DRAFT, recorded=0)
    mailings.start(mailing)
    mailings.fan_out()
    (mail,) = delivered()
    link = f"{settings.SITE_URL}/updates/archive/letters/{mailing.pk}/"
    html = mail.alternatives[0][0]
    if shown:
        assert f"Read this email on the web: {link}" in mail.body and f'href="{link}"' in html
    else:
        assert "Read this email on the web" not in mail.body + html
        assert "/updates/archive/" not in mail.body + html


def test_staff_choose_which_sent_letters_are_in_the_archive(client, db):
    from django.contrib.auth.models import Group

    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    mailing = letter("Sent and not yet shown", shown=False)
    assert client.get("/updates/archive/").content.decode().count("Sent and not yet") == 0
    staff = type(client)()
    staff.force_login(editor)
    form = staff.get(f"/admin/updates/mailing/{mailing.pk}/change/").content.decode()
    assert 'name="show_in_archive"' in form
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/change/", {
        "subject": mailing.subject, "body": mailing.body, "post": "", "audience": "everyone",
        "state": "", "prayer": "", "send_at_0": "", "send_at_1": "", "show_in_archive": "on"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    mailing.refresh_from_db()
    assert mailing.show_in_archive and mailing.subject == "Sent and not yet shown"
    assert "Sent and not yet shown" in client.get("/updates/archive/").content.decode()
    # Nothing else of a sent letter can change.
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/change/", {
        "subject": "Changed after sending", "body": mailing.body, "post": "",
        "audience": "everyone", "state": "", "prayer": "", "send_at_0": "", "send_at_1": "",
        "show_in_archive": "on"})
    assert response.status_code == 200 and "can no longer be changed" in (
        response.content.decode())


def test_a_new_letter_is_not_in_the_archive_unless_staff_say_so(db):
    assert Mailing(subject="x", body="y").show_in_archive is False


@pytest.mark.parametrize("count", [1, 20])
def test_the_archives_query_counts_do_not_grow(client, db, running_site,
                                               django_assert_num_queries, count):
    now = timezone.now()
    for n in range(count):
        Edition.objects.create(kind="daily", since=now - timedelta(days=n + 1),
                               until=now - timedelta(days=n), sent_count=5, done_at=now)
        letter(f"Letter {n}", started_at=now - timedelta(days=n, hours=1))
    # the versions, the editions, the letters (then kept for every reader)
    with django_assert_num_queries(3):
        assert client.get("/updates/archive/").status_code == 200
    with django_assert_num_queries(1):  # the versions: the page is kept
        assert client.get("/updates/archive/").status_code == 200


@pytest.mark.parametrize("posts", [1, 10])
def test_an_editions_page_query_count_does_not_grow_with_posts(
        client, db, running_site, django_assert_num_queries, sunday, posts):
    reader()
    for n in range(posts):
        made = make_article(title=f"Post {n}",
                            published_at=timezone.now() - timedelta(minutes=n + 1))
        mark_prayed(user=make_member(), prayer=made.prayer)
    call_command("send_updates", "daily")
    # the versions, the day's editions, their posts with their prayers, the week's
    # most prayed and most read, and those posts, the day's leaders and (none yet)
    # the leaders to choose from
    with django_assert_num_queries(8):
        assert client.get("/updates/archive/daily/2026-12-06/").status_code == 200
    shown = letter()
    with django_assert_num_queries(2):  # the versions, the letter with its post
        assert client.get(f"/updates/archive/letters/{shown.pk}/").status_code == 200


def test_the_kept_archive_is_made_again_when_an_email_goes_out(client, db, sunday):
    reader()
    assert "/updates/archive/daily/" not in client.get("/updates/archive/").content.decode()
    daily_sent()
    assert "/updates/archive/daily/2026-12-06/" in client.get(
        "/updates/archive/").content.decode()
    # Staff showing a letter in admin makes it again too (the test of that switch).
