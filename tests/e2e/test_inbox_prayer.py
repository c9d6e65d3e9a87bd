"""A subscriber prays from a real mail of the outbox, and the post they land on thanks
them, from the render that every reader of that post shares."""
import hashlib
import re
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from library.caches import page_store
from library.models import OutboxMessage
from library.pages import pagecache
from tests.factories import make_article
from updates.models import Subscriber

PHONE = {"width": 375, "height": 812}
ADDRESS = "lydia.inbox@example.org"


def kept_render(path):
    address = f"{path}?"
    return page_store().get(f"page{pagecache.SHAPE}:"
                            + hashlib.sha256(address.encode()).hexdigest()[:32])


def test_a_subscriber_prays_from_the_mail_and_the_post_thanks_them(browser, site, settings):
    settings.PAGE_CACHE = True
    page_store().clear()
    post = make_article(title="Harbour workers return",
                        published_at=timezone.now() - timedelta(minutes=5))
    Subscriber.objects.create(email=ADDRESS, daily=True, confirmed_at=timezone.now())
    call_command("send_updates", "daily")
    mail = OutboxMessage.objects.get(to=ADDRESS)
    pray_link = next(url for url in re.findall(r"https?://\S+", mail.body)
                     if "/updates/pray/" in url)
    path = post.get_absolute_url()

    anyone = browser.new_context(viewport=PHONE).new_page()
    anyone.goto(site.url + path)
    shared = kept_render(path)
    assert "<!--part:pray:" in shared.content.decode()
    assert "You prayed" not in shared.content.decode()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site.url + "/" + pray_link.split("://", 1)[1].split("/", 1)[1])
    page.click("text=Record my prayer")
    headline = page.locator(".prayer-headline")
    expect(headline.locator("[data-pray-button]")).to_have_text("You prayed")
    page.reload()  # once the thank-you message has gone, as on every later visit
    expect(headline.locator("[data-pray-button]")).to_have_text("You prayed")
    expect(page.locator("text=Get prayer updates by email")).to_have_count(0)
    assert kept_render(path) == shared  # filled from the one render, not one of their own

    anyone.reload()
    expect(anyone.locator(".prayer-headline [data-pray-button]")).to_have_text("I Prayed")
    expect(anyone.locator("text=Get prayer updates by email")).to_be_visible()
    context.close()
    anyone.context.close()
