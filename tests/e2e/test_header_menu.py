"""The header's menu on a phone, with JavaScript off: every link the desktop header
has for the reader, reached with a tap or the keyboard."""
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

PHONE = {"width": 375, "height": 800}
POST = "/articles/river-towns-begin-cleanup-after-spring-flood/"


def test_a_member_reaches_the_profile_and_ask_for_prayer_from_the_phone_menu(browser, site,
                                                                              reader):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    log_in(page, site.url, email=reader.email, password=reader.test_password, next_url=POST)
    menu = page.locator(".header-menu")
    expect(menu.locator("text=Ask for prayer")).to_be_hidden()

    page.click(".header-menu summary")
    expect(menu.get_by_role("link", name="Ask for prayer")).to_be_visible()
    menu.get_by_role("link", name="Your profile").click()
    expect(page.locator("h1")).to_have_text("Your profile")

    # The keyboard opens it too: Tab to "Menu", Enter, and on to the link.
    page.locator(".header-menu summary").focus()
    page.keyboard.press("Enter")
    link = page.locator(".header-menu").get_by_role("link", name="Ask for prayer")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    link.click()
    expect(page.locator("h1")).to_have_text("Ask for prayer")
    context.close()
