"""Calls and gatherings in Chromium. Staff create a weekly national call in admin, a
member asks to be reminded, a real worker sends the reminders a day and an hour
before, once each, as "now" moves (events.clock, read by the worker from the shared
database cache), and when staff move the call the member is told once. A recording
plays in the page, and the desktop header keeps to one row with its new link."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from events import clock
from events.models import Event, Recording, ReminderNotice
from library import jobs
from tests.e2e.conftest import log_in
from tests.events.audio import silent_mp3
from tests.jobs.conftest import mail_server, wait_until, workers  # noqa: F401  (fixtures)

OFFICE = {"email": "office@intercessors.example", "password": "office-demo-psalm-133"}
EASTERN = ZoneInfo("America/New_York")
PHONE = {"width": 375, "height": 812}


def send_reminders():
    jobs.queue("events.reminders.send_due", task_name="Events: send reminders", group="events")


def to(inbox, address, words):
    return [m for m in inbox.messages if m["To"] == address and words in m["Subject"]]


def test_staff_make_a_call_a_member_is_reminded_twice_and_told_of_a_move_once(
        browser, site, reader, workers, mail_server):  # noqa: F811
    workers(EVENTS_TEST_CLOCK="1")
    day = datetime.now(EASTERN).date() + timedelta(days=3)
    start = datetime.combine(day, time(19, 0), tzinfo=EASTERN)

    staff = browser.new_page()
    log_in(staff, site.url, **OFFICE)
    staff.goto(site.url + "/admin/events/event/add/")
    staff.fill("#id_title", "Wednesday night national call")
    staff.fill("#id_start_date", day.isoformat())
    staff.fill("#id_start_time", "19:00")
    staff.fill("#id_end_date", day.isoformat())
    staff.fill("#id_end_time", "20:00")
    staff.select_option("#id_repeat", "weekly")
    staff.fill("#id_repeat_until", (day + timedelta(days=56)).isoformat())
    staff.fill("#id_phone", "(202) 555-0143")
    staff.fill("#id_access_code", "7788#")
    staff.click("input[name=_save]")
    expect(staff.locator(".messagelist")).to_contain_text("was added successfully")
    call = Event.objects.get(title="Wednesday night national call")

    member = browser.new_page(viewport=PHONE)
    log_in(member, site.url, email=reader.email, password=reader.test_password)
    member.goto(site.url + "/events/")
    member.get_by_role("link", name="Wednesday night national call").first.click()
    expect(member.locator("h1")).to_have_text("Wednesday night national call")
    expect(member.locator(".call-join a")).to_have_attribute("href", "tel:+12025550143,,7788#")
    member.get_by_role("button", name="Remind me of every date").click()
    expect(member.locator(".event-remind [role=status]")).to_contain_text(
        "24 hours and 1 hour before each date")

    inbox = mail_server.inbox
    clock.set_now(start - timedelta(hours=23, minutes=50))
    send_reminders()
    assert wait_until(lambda: to(inbox, reader.email, "Tomorrow:"), timeout=30)
    send_reminders()  # again, at the same moment: nothing new
    clock.set_now(start - timedelta(minutes=50))
    send_reminders()
    assert wait_until(lambda: to(inbox, reader.email, "In one hour:"), timeout=30)
    send_reminders()
    assert wait_until(lambda: ReminderNotice.objects.count() == 2 and not jobs_waiting(),
                      timeout=30)
    (day_before,) = to(inbox, reader.email, "Tomorrow:")
    (hour_before,) = to(inbox, reader.email, "In one hour:")
    body = hour_before.get_payload(decode=True).decode()
    assert "tel:+12025550143,,7788#" in body and "/events/reminders/stop/" in body
    assert hour_before["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    staff.goto(f"{site.url}/admin/events/event/{call.pk}/change/")
    staff.fill("#id_start_time", "20:00")
    staff.fill("#id_end_time", "21:00")
    staff.click("input[name=_save]")
    expect(staff.locator(".messagelist")).to_contain_text("will be told of the change")
    assert wait_until(lambda: to(inbox, reader.email, "New time:"), timeout=30)
    jobs.queue("events.reminders.tell_changes", task_name="Events: tell", group="events")
    assert wait_until(lambda: not jobs_waiting(), timeout=30)
    (moved,) = to(inbox, reader.email, "New time:")
    weekday = f"{day:%A}"
    assert f"Every {weekday} at 8:00 PM Eastern time" in moved.get_payload(decode=True).decode()
    assert len([m for m in inbox.messages if m["To"] == reader.email]) == 3
    staff.close()
    member.close()


def jobs_waiting() -> bool:
    from django_q.models import OrmQ

    return OrmQ.objects.exists()


def test_a_recording_plays_in_the_page(page, site):
    call = Event.objects.get(slug="national-prayer-call")
    past = call.start_date - timedelta(days=7)
    Event.objects.filter(pk=call.pk).update(start_date=past, end_date=past)
    call.refresh_from_db()
    recording = Recording(event=call, occurrence_date=past, notes="We prayed for the nation.")
    recording.audio.save("call.mp3", ContentFile(silent_mp3(2.0)), save=False)
    recording.full_clean()
    recording.save()
    page.goto(site.url + "/events/recordings/")
    audio = page.locator(f"#recording-{recording.pk} audio")
    expect(audio).to_be_visible()
    played = page.evaluate("""async (selector) => {
        const audio = document.querySelector(selector);
        audio.muted = true;
        await audio.play();
        await new Promise(done => setTimeout(done, 600));
        return {time: audio.currentTime, duration: audio.duration, error: audio.error};
    }""", f"#recording-{recording.pk} audio")
    assert played["error"] is None
    assert 1.5 < played["duration"] < 2.5 and played["time"] > 0


@pytest.mark.parametrize("width,readers", [(1024, ("guest",)), (1280, ("guest", "member"))])
def test_the_desktop_header_keeps_to_one_row(browser, site, width, readers):
    """From a desktop's width the header is one row with the calls' link for readers
    not logged in; a member's own links (their name, "Ask for prayer", "My prayers",
    "Log out") take a second row below 1280 px, as before the link was added."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    middles = """() => [...document.querySelectorAll(
        '.site-header .brand, .site-header .site-nav li, .site-header .account-nav > *')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return Math.round(r.top + r.height / 2); })"""
    for who in readers:
        if who == "member":
            log_in(page, site.url)
        page.goto(site.url + "/events/")
        expect(page.locator(".site-nav").get_by_role("link", name="Calls")).to_be_visible()
        found = page.evaluate(middles)
        assert max(found) - min(found) <= 8, (who, found)
    context.close()
