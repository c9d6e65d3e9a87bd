"""What new readers saw get in their way, checked in Chromium as they would see it."""
import re

import pytest

from tests.e2e.conftest import log_in

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
POST = "/articles/river-towns-begin-cleanup-after-spring-flood/"


def visible_text(page):
    return page.evaluate("() => document.body.innerText")


def test_a_message_sits_in_the_page_and_can_be_closed(page, site):
    page.set_viewport_size(PHONE)
    log_in(page, site.url, next_url=POST)
    message = page.locator("[data-message]").first
    assert "You are logged in" in message.inner_text()
    prayer = page.locator(".prayer").first
    # Scrolled down the article, the message stays where it was: it covers nothing.
    page.evaluate("window.scrollTo(0, 600)")
    box, prayer_box = message.bounding_box(), prayer.bounding_box()
    assert box["y"] + box["height"] <= prayer_box["y"] or box["y"] < 0
    page.click("[data-dismiss]")
    assert page.locator("[data-message]").count() == 0


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_gap_before_a_comma_in_what_readers_see(page, site, size):
    page.set_viewport_size(size)
    measured = []
    for path in [POST, "/articles/", "/states/iowa/"]:
        page.goto(site.url + path)
        # The space between the end of a link's words and the comma after it, as laid out.
        gaps = page.evaluate(
            """() => [...document.querySelectorAll('.post-states a, .post-meta a')]
                .filter(a => a.nextSibling && /^,/.test(a.nextSibling.textContent || ''))
                .map(a => {
                    const words = document.createRange();
                    words.selectNodeContents(a);
                    const comma = document.createRange();
                    comma.setStart(a.nextSibling, 0); comma.setEnd(a.nextSibling, 1);
                    return comma.getBoundingClientRect().left - words.getBoundingClientRect().right;
                })"""
        )
        measured += gaps
        assert all(gap < 2 for gap in gaps), (path, gaps)
        assert " ," not in visible_text(page)
    assert measured  # the pages do have links followed by commas


def test_the_state_list_lines_up_codes_names_and_counts(page, site):
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(site.url + "/states/")
        rows = page.evaluate(
            """() => [...document.querySelectorAll('.state-list li')].map(li => {
                const abbr = li.querySelector('abbr').getBoundingClientRect();
                const link = li.querySelector('a').getBoundingClientRect();
                const count = li.querySelector('.muted');
                return {gap: link.left + 0, code: abbr.right,
                        text: li.innerText, countLines: count.getClientRects().length};
            })"""
        )
        assert len(rows) == 51
        assert all(row["countLines"] == 1 for row in rows)  # "0 this week" on one line
        text = visible_text(page)
        assert "MDMaryland" not in text and "NMNew Mexico" not in text
        assert re.search(r"MD\s+Maryland", text)


@pytest.mark.parametrize("script", [False, True], ids=["without JavaScript", "with JavaScript"])
def test_buttons_that_need_javascript_show_only_with_it(browser, site, script):
    context = browser.new_context(java_script_enabled=script, viewport=DESKTOP)
    page = context.new_page()
    page.goto(site.url + POST)
    for selector in ["[data-print]", "[data-copy-link]"]:
        shown = [b.is_visible() for b in page.locator(selector).all()]
        assert shown and all(s == script for s in shown), (selector, shown)
    context.close()


def test_the_header_is_one_row_on_a_desktop_and_compact_on_a_phone(page, site):
    from tests.factories import DEFAULT_PASSWORD, make_member

    make_member(email="ruth.newcomer@example.org", display_name="Ruth Newcomer")
    log_in(page, site.url, email="ruth.newcomer@example.org", password=DEFAULT_PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.goto(site.url + POST)
    assert page.locator(".site-header").bounding_box()["height"] <= 60
    page.set_viewport_size(PHONE)
    page.goto(site.url + POST)
    assert page.locator(".site-header").bounding_box()["height"] <= 150
    # The prayer starts within the first third of a phone's screen.
    assert page.locator(".prayer").first.bounding_box()["y"] <= 812 / 3


def test_a_member_takes_back_a_prayer_pressed_by_mistake(page, site, reader):
    log_in(page, site.url, email=reader.email, password=reader.test_password, next_url=POST)
    prayer = page.locator(".prayer").first
    button, count = prayer.locator("[data-pray-button]"), prayer.locator("[data-pray-count]")
    before = count.inner_text()
    button.click()
    page.wait_for_function("() => document.querySelector('[data-pray-button]').textContent "
                           "=== 'You prayed'")
    assert button.get_attribute("aria-pressed") == "true" and count.inner_text() != before
    button.click()
    page.wait_for_function("() => document.querySelector('[data-pray-button]').textContent "
                           "=== 'I Prayed'")
    assert count.inner_text() == before
    page.reload()
    assert prayer.locator("[data-pray-button]").inner_text() == "I Prayed"
