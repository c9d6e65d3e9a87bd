"""Accessibility, layout on phone and desktop, keyboard use, print, and screenshots."""
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

PAGES = {
    "home": "/",
    "post": "/articles/river-towns-begin-cleanup-after-spring-flood/",
    "map": "/states/",
    "state": "/states/texas/",
    "write to a coordinator": "/states/texas/write/",
    "partner": "/partner/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "wall": "/prayers/requests/",
    "answered": "/prayers/requests/answered/",
    "wall category": "/prayers/requests/?category=health&state=texas",
    "wall search": "/prayers/requests/?q=shifts",
    "updates": "/updates/",
    "leaders": "/leaders/",
    "leader": "/leaders/ted-cruz/",
    "events": "/events/",
    "event": "/events/national-prayer-call/",
    "recordings": "/events/recordings/",
}
# Pages only a member sees; "own request" is the demo member's request, with its
# update, renewal and daily-mail forms; "someone's request" another member's, marked
# urgent, with a note shown to everyone and the form for the member's own note.
MEMBER_PAGES = {
    "profile": "/accounts/profile/",
    "journal": "/accounts/prayers/",
    "journal requests": "/accounts/prayers/?show=requests",
    "own request": None,
    "pray through": "/prayers/requests/pray/",
    "someone's request": None,
    "member home": "/",
    "member state": "/states/texas/",  # with the form to write to its coordinator
    "member event": "/events/national-prayer-call/",
}


def member_path(name):
    if name == "own request":
        from prayers.models import Prayer

        return Prayer.objects.requests().filter(
            author__email="grace@intercessors.example", answered_at__isnull=True,
        ).first().get_absolute_url()
    if name == "someone's request":
        return noted_request().get_absolute_url()
    return MEMBER_PAGES[name]


def noted_request():
    """Another member's request, urgent, with a note everyone sees (made once)."""
    from django.utils import timezone

    from library.pages import pagecache
    from library.text.markup import render_markdown
    from prayers.models import Prayer, PrayerNote
    from tests.factories import make_member

    prayer = Prayer.objects.requests().filter(
        status="published", is_deleted=False, answered_at__isnull=True, anonymous=False,
    ).exclude(author__email="grace@intercessors.example").exclude(author=None).first()
    if not prayer.notes.exists():
        text = "Praying for you tonight, and for all your family."
        writer = make_member(display_name="Ruth Oakes")
        PrayerNote.objects.create(prayer=prayer, author=writer, text=text,
                                  body_html=render_markdown(text))
        Prayer.objects.filter(pk=prayer.pk).update(notes_public=True, urgent_at=timezone.now(),
                                                   urgent_asked_at=timezone.now())
        pagecache.retire(pagecache.LISTS, prayer.page_scope)
    return prayer
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

# What a finger taps: controls, and links that stand on their own (navigation,
# actions, lists), not links inside a sentence. The map's squares are small on a
# phone; the list of states below the map is the full-size way to the same pages.
TAP_TARGETS = (Path(__file__).parent / "tap_targets.js").read_text()


@pytest.fixture
def member_page(page, site):
    log_in(page, site.url)
    return page


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("name", [*PAGES, *MEMBER_PAGES])
def test_no_serious_accessibility_violations(member_page, page, site, name):
    if name not in MEMBER_PAGES:
        page.context.clear_cookies()
    page.goto(site.url + (PAGES[name] if name in PAGES else member_path(name)))
    assert serious_violations(page) == []


def test_pages_fit_a_phone_and_a_desktop_with_big_enough_tap_targets(browser, site):
    """Several seconds: every page, at two sizes, in one browser context each (one
    log-in per size rather than one per page)."""
    shots = os.environ.get("SCREENSHOTS_DIR")
    problems = {}
    for label, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        pages = list(PAGES.items())
        for name, path in [*pages, *((name, None) for name in MEMBER_PAGES)]:
            if name == next(iter(MEMBER_PAGES)):
                log_in(page, site.url)  # the member pages, and the header members see
            page.goto(site.url + (path or member_path(name)))
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            if overflow > 0:
                problems[f"{label} {name}"] = f"scrolls sideways by {overflow}px"
            if label == "phone":
                small = page.evaluate(TAP_TARGETS)
                if small:
                    problems[f"{label} {name} tap targets"] = small
            if shots and name in {"home", "post", "map", "partner", "leaders", "leader"}:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{name}-{label}.png", full_page=True)
        context.close()
    assert problems == {}


def test_the_post_journey_works_from_the_keyboard(member_page, site):
    page = member_page
    page.goto(site.url + "/articles/legislature-opens-session-with-budget-gap/")

    def tab_to(selector, limit=60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"never reached {selector} with Tab")

    tab_to(".prayer-headline .pray-button")
    page.keyboard.press("Enter")
    expect(page.locator(".prayer-headline .pray-button")).to_have_text("You prayed")
    assert page.evaluate("document.activeElement.matches('.prayer-headline .pray-button')")
    tab_to("#comment-form textarea")
    page.keyboard.type("Typed with the keyboard alone.")
    tab_to("#comment-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".comment-body", has_text="Typed with the keyboard alone.")).to_be_visible()


def test_skip_link_and_visible_focus(page, site):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # moved on screen when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_print_shows_prayer_article_and_attribution_only(page, site):
    page.goto(site.url + PAGES["post"])
    page.emulate_media(media="print")
    for shown in [".prayer-headline .prayer-text", ".post-body", ".attribution-from", "h1"]:
        expect(page.locator(shown).first).to_be_visible()
    for hidden in [".site-header", ".site-footer", ".share", "form", ".pray-button",
                   ".comment-reply-area", ".state-link"]:
        expect(page.locator(hidden).first).to_be_hidden()
