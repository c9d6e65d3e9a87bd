"""An answered prayer in Chromium, with a real worker and a real mail server: one
member asks, a second prays, the first tells of the answer with a praise note, and
the second finds "Answered" with the note in "My prayers" and in their mail."""
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.jobs.conftest import mail_server, workers  # noqa: F401  (fixtures)

PHONE = {"width": 375, "height": 812}
REQUEST = "Please pray for my father's heart surgery on Thursday morning."
NOTE = "The surgery went well and Dad is home already. Thank you for every prayer!"


def test_an_answered_prayer_reaches_everyone_who_prayed(browser, site, workers,  # noqa: F811
                                                         mail_server):  # noqa: F811
    make_member(email="lydia.asks@example.org", display_name="Lydia Marsh")
    make_member(email="simon.prays@example.org", display_name="Simon Reed")
    workers()

    asker = browser.new_page(viewport=PHONE)
    log_in(asker, site.url, email="lydia.asks@example.org", password=DEFAULT_PASSWORD)
    asker.goto(site.url + "/prayers/requests/new/")
    asker.fill("#id_text", REQUEST)
    asker.select_option("#id_state", "")  # for the nation
    asker.click("main button[type=submit]")
    expect(asker.locator(".request-text")).to_contain_text("heart surgery")
    request_url = asker.url

    praying = browser.new_page(viewport=PHONE)
    log_in(praying, site.url, email="simon.prays@example.org", password=DEFAULT_PASSWORD)
    praying.goto(request_url)
    praying.locator("[data-pray-button]").click()
    expect(praying.locator("[data-pray-count]")).to_have_text("1 person has prayed")

    asker.reload()
    asker.fill("#update #id_text", NOTE)
    asker.check("#update #id_answered")
    asker.click("#update button[type=submit]")
    expect(asker.locator(".messages, [role=status]").first).to_contain_text("Praise God")
    expect(asker.locator(".update-answered")).to_contain_text("Dad is home")
    asker.close()

    praying.locator("header summary").click()  # on a phone, the header's Menu
    praying.locator("header .header-menu-list").get_by_role("link", name="My prayers").click()
    item = praying.locator(".journal-item", has_text="heart surgery")
    expect(item.locator(".answered-tag")).to_have_text("Answered")
    expect(item).to_contain_text("Dad is home already")

    (message,) = mail_server.inbox.wait_for(1, timeout=30)
    assert message["To"] == "simon.prays@example.org"
    assert message["Subject"].endswith("A prayer you prayed for was answered")
    body = message.get_payload(decode=True).decode()
    assert "Dad is home already" in body and request_url.split("//", 1)[1].split("/", 1)[1] in body
    praying.close()
