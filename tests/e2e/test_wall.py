"""The prayer wall in Chromium: one member asks, anonymously, for their state; a
neighbour finds the request on the state page and prays for it."""
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import DEFAULT_PASSWORD, make_member

PHONE = {"width": 375, "height": 812}
REQUEST = "Please pray for our church's food pantry: the shelves are nearly empty."


def test_an_anonymous_request_is_found_on_the_state_page_and_prayed_for(browser, site):
    from states.models import State

    iowa = State.objects.get(code="IA")
    make_member(email="hannah.asks@example.org", display_name="Hannah Whitlock",
                home_state=iowa)
    make_member(email="neighbour@example.org", display_name="Ezra Neighbour", home_state=iowa)

    asker = browser.new_page(viewport=PHONE)
    log_in(asker, site.url, email="hannah.asks@example.org", password=DEFAULT_PASSWORD)
    asker.goto(site.url + "/states/iowa/")
    asker.click("text=Post a prayer for your state")
    expect(asker.locator("#id_state")).to_have_value("iowa")  # chosen for her
    asker.fill("#id_text", REQUEST)
    asker.check("#id_anonymous")
    asker.click("main button[type=submit]")
    expect(asker.locator(".request-text")).to_contain_text("food pantry")
    expect(asker.locator(".request-byline")).to_contain_text("A member in Iowa")
    asker.close()

    neighbour = browser.new_page(viewport=PHONE)
    log_in(neighbour, site.url, email="neighbour@example.org", password=DEFAULT_PASSWORD)
    neighbour.goto(site.url + "/states/iowa/")
    card = neighbour.locator(".prayer-request", has_text="food pantry")
    expect(card).to_contain_text("A member in Iowa")
    expect(card.locator("[data-pray-count]")).to_have_text("Be the first to pray")
    card.locator("[data-pray-button]").click()
    expect(card.locator("[data-pray-button]")).to_have_text("You prayed")
    expect(card.locator("[data-pray-count]")).to_have_text("1 person has prayed")
    for path in ("/states/iowa/", "/prayers/requests/?state=iowa"):
        neighbour.goto(site.url + path)
        text = neighbour.evaluate("() => document.body.innerText")
        assert "food pantry" in text and "Hannah" not in text and "Whitlock" not in text
    card = neighbour.locator(".prayer-request", has_text="food pantry")
    card.locator(".request-byline a").last.click()  # the request's own page
    expect(neighbour.locator("[data-pray-count]")).to_have_text("1 person has prayed")
    assert "Hannah" not in neighbour.content() and "Whitlock" not in neighbour.content()
    neighbour.close()


def test_a_member_prays_through_the_wall_and_searches_it_without_javascript(browser, site):
    """A member prays through the demo wall, least prayed for first, with JavaScript
    off: two prayed for, one passed over, then the count."""
    make_member(email="ruth.prays@example.org", display_name="Ruth Abernathy")
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    log_in(page, site.url, email="ruth.prays@example.org", password=DEFAULT_PASSWORD)
    page.goto(site.url + "/prayers/requests/")
    page.click("text=Pray through the wall, one at a time")
    shown = []
    for action in ["I Prayed", "Next request", "I Prayed"]:
        shown.append(page.locator(".pray-through .request-text").inner_text())
        with page.expect_navigation():
            page.click(f".pray-through-actions button:has-text('{action}')")
    assert len(set(shown)) == 3
    expect(page.locator("main")).to_contain_text("You have prayed for 2 so far")
    with page.expect_navigation():
        page.click(".pray-through-actions button:has-text('Stop for now')")
    expect(page.locator(".pray-through-total")).to_contain_text("You prayed for 2 requests")

    page.goto(site.url + "/prayers/requests/")
    page.fill("#wall-q", "shifts")
    page.select_option("#wall-state", "ohio")
    with page.expect_navigation():
        page.click(".wall-filter button[type=submit]")
    expect(page.locator(".request-list")).to_contain_text("cutting a shift")
    expect(page.locator(".request-list")).not_to_contain_text("night shift")
    context.close()
