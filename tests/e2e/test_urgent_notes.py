"""An urgent request and a note in Chromium, with a real worker and a real mail
server: a member asks for prayer about health as urgent, staff approve it in admin,
it heads the wall and its health requests, a subscriber who chose urgent requests
gets one mail, a second member prays with a note, and the requester reads the note
in "My prayers"."""
from django.utils import timezone
from playwright.sync_api import expect

from states.models import State
from tests.e2e.conftest import log_in
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.jobs.conftest import mail_server, workers  # noqa: F401  (fixtures)
from updates.models import Subscriber

PHONE = {"width": 375, "height": 812}
REQUEST = "Please pray for my grandson, in the hospital after a car accident last night."
NOTE = "Praying for his healing and for your whole family tonight."


def test_an_urgent_request_is_approved_mailed_and_prayed_for_with_a_note(  # noqa: F811
        browser, site, workers, mail_server):  # noqa: F811
    make_member(email="lydia.asks@example.org", display_name="Lydia Marsh")
    make_member(email="simon.prays@example.org", display_name="Simon Reed")
    make_member(email="esther.staff@example.org", display_name="Esther", is_staff=True,
                is_superuser=True)
    Subscriber.objects.create(email="watcher@example.org", urgent=True,
                              state=State.objects.get(code="TX"), confirmed_at=timezone.now())
    workers()

    asker = browser.new_page(viewport=PHONE)
    log_in(asker, site.url, email="lydia.asks@example.org", password=DEFAULT_PASSWORD)
    asker.goto(site.url + "/prayers/requests/new/")
    asker.fill("#id_text", REQUEST)
    asker.select_option("#id_state", "texas")
    asker.select_option("#id_category", "health")
    asker.check("#id_urgent")
    asker.click("main button[type=submit]")
    expect(asker.locator(".request-text")).to_contain_text("car accident")
    expect(asker.locator(".request-tools")).to_contain_text("You asked for it to be marked urgent")
    request_url = asker.url

    staff = browser.new_page()
    log_in(staff, site.url, email="esther.staff@example.org", password=DEFAULT_PASSWORD)
    staff.goto(site.url + "/admin/prayers/prayerrequest/?urgent=asked")
    row = staff.locator("#result_list tbody tr", has_text="car accident")
    expect(row).to_contain_text("Asked: waiting for you")
    row.locator("input.action-select").check()
    staff.select_option("select[name=action]", "mark_urgent")
    staff.click("button[name=index]")
    expect(staff.locator(".messagelist")).to_contain_text("1 request marked urgent")
    staff.close()

    wall = browser.new_page(viewport=PHONE)
    for filters in ("", "?category=health"):  # the whole wall, and its health requests
        wall.goto(site.url + "/prayers/requests/" + filters)
        first = wall.locator(".prayer-request").first
        expect(first).to_contain_text("car accident")
        expect(first).to_contain_text("Health")
        expect(first.locator(".urgent-tag")).to_have_text("Urgent")
    wall.close()

    (message,) = mail_server.inbox.wait_for(1, timeout=30)
    assert message["To"] == "watcher@example.org"
    assert message["Subject"].endswith("Urgent: a request for prayer")
    assert "car accident" in message.as_string()

    praying = browser.new_page(viewport=PHONE)
    log_in(praying, site.url, email="simon.prays@example.org", password=DEFAULT_PASSWORD)
    praying.goto(request_url)
    headline = praying.locator(".prayer-headline")
    headline.locator("textarea[name=note]").fill(NOTE)
    headline.locator("[data-pray-button]").click()
    expect(praying.locator("[role=status], .messages").first).to_contain_text(
        "Your note is with the member who asked")
    expect(praying.locator(".prayer-headline [data-pray-count]")).to_have_text(
        "1 person has prayed")

    asker.goto(site.url + "/accounts/prayers/?show=requests")
    item = asker.locator(".journal-item", has_text="car accident")
    expect(item.locator(".note")).to_contain_text(NOTE)
    expect(item.locator(".note")).to_contain_text("Simon Reed")
    asker.close()
    praying.close()
    assert len(mail_server.inbox.messages) == 1  # one urgent mail, and no other
