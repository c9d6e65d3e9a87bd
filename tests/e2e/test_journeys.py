"""Journeys a person takes through the site, in a real browser."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment
from tests.e2e.conftest import log_in
from tests.mailbox import delivered

RIVER = "/articles/river-towns-begin-cleanup-after-spring-flood/"
HOSPITAL = "/articles/rural-hospital-keeps-doors-open/"


def count_of(page, scope=".prayer-headline"):
    text = page.locator(f"{scope} .pray-count").inner_text()
    return 0 if text.startswith("Be the first") else int(re.sub(r"\D", "", text.split()[0]))


def test_reader_follows_a_post_and_prays_after_logging_in(page, site):
    page.goto(site.url + "/")
    page.locator(".post-card-title a", has_text="legislature").click()
    expect(page).to_have_url(re.compile(r"/articles/legislature-opens-session"))
    expect(page.locator(".prayer-headline .prayer-text")).to_contain_text("Father, we pray")
    expect(page.locator(".reading-time")).to_contain_text("Reading Time:")
    expect(page.locator(".attribution-from")).to_contain_text("From The Capitol Dispatch")
    expect(page.locator("#comments-title")).to_contain_text("Comments (")
    before = count_of(page)
    page.locator(".prayer-headline button", has_text="I Prayed").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_login", "samuel@intercessors.example")
    page.fill("#id_password", "samuel-demo-psalm-46")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/articles/legislature-opens-session.*#prayer-"))
    expect(page.locator(".prayer-headline button")).to_have_text("You prayed")
    assert count_of(page) == before + 1


def test_member_prays_in_place_with_javascript(page, site, reader):
    log_in(page, site.url, reader.email, reader.test_password, next_url=RIVER)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    before = count_of(page)
    page.locator(".prayer-headline button", has_text="I Prayed").click()
    expect(page.locator(".prayer-headline button")).to_have_text("You prayed")
    expect(page.locator(".prayer-headline .pray-count")).to_contain_text(str(before + 1))
    assert navigations == []


def test_member_prays_with_javascript_off(browser, site, reader):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, site.url, reader.email, reader.test_password, next_url=HOSPITAL)
    before = count_of(page)
    with page.expect_navigation():
        page.locator(".prayer-headline button", has_text="I Prayed").click()
    expect(page.locator(".prayer-headline button")).to_have_text("You prayed")
    assert count_of(page) == before + 1
    context.close()


@pytest.mark.parametrize("shared_thread", [False, True], ids=["fresh", "shared-thread"])
def test_member_holds_a_conversation(page, site, reader, no_dialogs, settings, shared_thread):
    # With the page cache on (as in production) the thread is rendered once and
    # shared; a member who wrote in it gets their own (comments.conversations).
    settings.PAGE_CACHE = shared_thread
    log_in(
        page, site.url, reader.email, reader.test_password, next_url=HOSPITAL + "%23comment-form"
    )
    page.fill("#comment-form textarea", "Praying tonight <script>alert('x')</script> for them.")
    page.click("#comment-form button[type=submit]")
    mine = page.locator(".comment-body", has_text="Praying tonight")
    expect(mine).to_contain_text("<script>alert('x')</script>")  # shown as text
    Comment.objects.filter(author=reader).update(created_at=timezone.now() - timedelta(seconds=20))

    # Reply in place: the form moves under the comment; no page load until posting.
    other = page.locator(".comment-body", has_text="My grandmother was a nurse")
    other.get_by_role("link", name="Reply").click()
    expect(other.locator("form[data-comment-form] textarea")).to_be_visible()
    assert page.url.endswith("#comment-form") or "/comments/" not in page.url
    other.locator("textarea").fill("Amen, praying for the night shift too.")
    other.locator("button[type=submit]", has_text="Post reply").click()
    reply = page.locator(".replies .comment-body", has_text="Amen, praying for the night shift")
    expect(reply).to_be_visible()

    # Edit within the window.
    reply.get_by_role("link", name="Edit").click()
    page.fill("textarea[name=body]", "Amen, praying for every night shift.")
    page.click("main button[type=submit]")
    edited = page.locator(".comment-body", has_text="praying for every night shift")
    expect(edited.locator(".comment-edited")).to_have_text("edited")

    # Delete it.
    edited.get_by_role("link", name="Delete").click()
    page.locator("main button[type=submit]", has_text="Delete comment").click()
    expect(page.locator(".comment-body", has_text="every night shift")).to_have_count(0)
    assert page.evaluate("window.__xss") is None


def test_anonymous_reader_is_invited_and_returns_to_the_post(page, site):
    page.goto(site.url + RIVER)
    expect(page.locator(".join-prompt")).to_have_text("Log in to Join the Conversation")
    page.locator("#comment-form").get_by_role("link", name="Log in").click()
    page.fill("#id_login", "grace@intercessors.example")
    page.fill("#id_password", "grace-demo-psalm-23")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(RIVER) + "#comment-form$"))
    expect(page.locator("#comment-form textarea")).to_be_visible()


def test_someone_becomes_a_monthly_partner(page, site):
    page.goto(site.url + "/")
    page.locator("header").get_by_role("link", name="Partner with Us").click()
    page.get_by_label("Another amount", exact=True).check()
    page.fill("#id_other_amount", "3")
    page.fill("#id_first_name", "Phoebe")
    page.fill("#id_last_name", "Cenchreae")
    page.fill("#id_email", "phoebe@example.org")
    page.click("main button[type=submit]")
    expect(page.locator(".errors")).to_contain_text("The smallest gift we can set up is $5.")
    expect(page.locator("#id_first_name")).to_have_value("Phoebe")
    expect(page.locator("#id_email")).to_have_value("phoebe@example.org")
    page.fill("#id_other_amount", "30")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/partner/thanks/$"))
    expect(page.locator("main")).to_contain_text("You pledged $30 every month.")
    expect(page.locator(".reference")).to_have_text(re.compile(r"^P-[A-Z0-9]{5}$"))


def test_editor_publishes_a_post_from_admin(page, site):
    page.goto(site.url + "/admin/")
    page.fill("#id_login", "editor@intercessors.example")
    page.fill("#id_password", "editor-demo-psalm-121")
    page.click("main button[type=submit]")
    page.goto(site.url + "/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Neighbors open homes after a fire")
    expect(page.locator("#id_slug")).to_have_value("neighbors-open-homes-after-a-fire")
    page.select_option("#id_status", "published")
    page.fill("#id_body", "Dozens of families lost their homes. Within hours neighbors opened "
                          "spare rooms.")
    page.fill("#id_source_name", "Evening Lantern")
    page.fill("#id_prayer_text", "Father, we pray for every family who lost a home.")
    page.locator("#id_states").locator("xpath=..").locator(".select2-selection").click()
    page.keyboard.type("Ohio")
    page.locator(".select2-results__option", has_text="Ohio").click()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(slug="neighbors-open-homes-after-a-fire").prayer
    page.goto(site.url + "/articles/")
    expect(page.locator(".post-card-title").first).to_contain_text("Neighbors open homes")
    page.goto(site.url + "/states/ohio/")
    expect(page.locator("main")).to_contain_text("Neighbors open homes after a fire")


def test_visitor_taps_the_map_and_member_visits_home_state(page, site, grace):
    page.goto(site.url + "/states/")
    page.locator("svg a[aria-label^='Texas:']").click()
    expect(page).to_have_url(site.url + "/states/texas/")
    expect(page.locator("h1")).to_have_text("Pray for Texas")
    log_in(page, site.url)
    page.locator("main").get_by_role("link", name="Visit your state page to pray").first.click()
    expect(page).to_have_url(site.url + "/states/texas/")  # Grace lives in Texas


@pytest.mark.sqlite_too  # a newcomer's first journey, on the database `make run` gives
def test_sign_up_confirm_log_in_and_choose_a_state(page, site):
    page.goto(site.url + "/")
    page.locator("header").get_by_role("link", name="Sign up").click()
    page.fill("#id_email", "junia@example.org")
    page.fill("#id_display_name", "Junia")
    page.fill("#id_password1", "outstanding-among-apostles-7")
    page.fill("#id_password2", "outstanding-among-apostles-7")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Check your email")
    expect(page.get_by_role("button", name="Send it again")).to_be_visible()
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", delivered()[-1].body).group(0)
    page.goto(link)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/welcome/"))
    page.select_option("#id_home_state", label="Iowa")
    page.click("main button[type=submit]")
    expect(page).to_have_url(site.url + "/states/iowa/")
    expect(page.locator("header .account-name")).to_have_text("Junia")
    page.locator("header").get_by_role("button", name="Log out").click()
    log_in(page, site.url, email="junia@example.org", password="outstanding-among-apostles-7")
    expect(page.locator("header .account-name")).to_have_text("Junia")
