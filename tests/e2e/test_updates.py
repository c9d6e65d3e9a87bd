"""Prayer updates by email in Chromium, with a real worker and a real mail server:
subscribe, confirm, get the daily email, pray from it, leave with one click, and
get nothing more."""
import re
import time
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from library.models import OutboxMessage
from tests.factories import make_article
from tests.jobs.conftest import mail_server, workers  # noqa: F401  (fixtures)

PHONE = {"width": 375, "height": 812}
ADDRESS = "miriam.inbox@example.org"


def text_part(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def link_in(text: str, piece: str) -> str:
    """The path of the mail's link containing `piece` (mail names the public site)."""
    url = next(word for word in re.findall(r"https?://\S+", text) if piece in word)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_subscribe_confirm_pray_from_the_inbox_and_leave(browser, site, workers,  # noqa: F811
                                                          mail_server):  # noqa: F811
    post = make_article(title="Bridge reopens after the flood",
                        published_at=timezone.now() - timedelta(minutes=5))
    workers()
    page = browser.new_page(viewport=PHONE)

    page.goto(site.url + "/")
    page.fill("#updates-email-home", ADDRESS)
    page.click(".updates-short button")
    expect(page.locator("#id_email")).to_have_value(ADDRESS)
    page.check("#id_daily")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your inbox")

    (confirmation,) = mail_server.inbox.wait_for(1, timeout=30)
    page.goto(site.url + link_in(text_part(confirmation), "/updates/confirm/"))
    page.click("text=Confirm my subscription")
    expect(page.locator("h1")).to_have_text("You are subscribed")

    call_command("send_updates", "daily")
    messages = mail_server.inbox.wait_for(2, timeout=30)
    daily = messages[1]
    assert daily["To"] == ADDRESS and "Bridge reopens" in daily["Subject"]
    assert daily["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {part.get_content_type() for part in daily.walk()} >= {"text/plain", "text/html"}
    body = text_part(daily)
    pray_link = site.url + link_in(body, "/updates/pray/")

    page.goto(pray_link)  # opening the link, as a mail scanner would, counts nothing
    expect(page.locator("text=Record my prayer")).to_be_visible()
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 0
    page.click("text=Record my prayer")
    expect(page.locator(".prayer-headline [data-pray-count]")).to_have_text(
        "1 person has prayed")
    page.goto(pray_link)
    page.click("text=Record my prayer")  # twice: still once
    post.prayer.refresh_from_db()
    assert post.prayer.prayed_count == 1

    leave_url = site.url + link_in(daily["List-Unsubscribe"].strip("<>"), "/updates/leave/")
    response = page.request.post(leave_url, data="List-Unsubscribe=One-Click", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 200 and "You are unsubscribed" in response.text()

    make_article(title="A second day of prayer", published_at=timezone.now())
    call_command("send_updates", "daily")
    time.sleep(2)
    assert len(mail_server.inbox.messages) == 2
    assert OutboxMessage.objects.filter(to=ADDRESS).count() == 2
    page.close()
