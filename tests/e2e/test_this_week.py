"""The week's most prayed and most read posts, and Up next, as a phone shows them."""
import os
from pathlib import Path

from django.utils import timezone

from articles.models import Article, ReadDay
from tests.e2e.conftest import log_in
from tests.e2e.test_pages import TAP_TARGETS

PHONE = {"width": 390, "height": 844}


def test_the_lists_and_up_next_are_legible_on_a_phone(browser, site):
    older, newer = Article.objects.published().order_by("-published_at", "-id")[1:3][::-1]
    ReadDay.objects.create(article=older, day=timezone.localdate(), readers=1234)
    ReadDay.objects.create(article=newer, day=timezone.localdate(), readers=87)
    shots = os.environ.get("SCREENSHOTS_DIR")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, site.url)  # a member sees what a guest sees, and the header members see
    for path in ["/", "/articles/"]:
        page.goto(site.url + path)
        for heading in ("Most prayed this week", "Most read this week"):
            assert page.get_by_role("heading", name=heading).is_visible()
        assert page.get_by_text("1,234 read this week").is_visible()
        link_size = page.eval_on_selector(".week-posts a", "a => getComputedStyle(a).fontSize")
        assert float(link_size.removesuffix("px")) >= 18
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate(TAP_TARGETS) == []
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            name = path.strip("/") or "home"
            page.locator(".this-week").screenshot(path=f"{shots}/this-week-{name}-phone.png")
    page.goto(site.url + newer.get_absolute_url())
    card = page.locator(".up-next")
    assert card.get_by_role("heading", name="Up next").is_visible()
    following = Article.objects.published().filter(published_at__gt=newer.published_at)
    assert card.get_by_role("link").inner_text() == following.order_by("published_at").first().title
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate(TAP_TARGETS) == []
    if shots:
        card.screenshot(path=f"{shots}/up-next-phone.png")
        page.screenshot(path=f"{shots}/post-phone.png", full_page=True)
    context.close()
