"""Every hostile payload, through every place text enters the site: what is stored
and what pages print contain nothing that could run, and links carry rel.

Each payload goes through the sanitiser in a test of its own; the pages are then
checked holding many payloads each (a thread of them, a wall of them), as readers
would meet them, rather than one page per payload."""
import re

import pytest
from django.test import Client

from comments.models import Comment
from comments.services import post_comment
from library.pages import pagecache
from library.text.markup import LINK_REL, render_markdown
from partners.models import PartnerPledge
from prayers.models import Prayer, PrayerNote
from states.models import State
from tests.factories import make_article, make_member, make_request
from tests.html_checks import elements, executable_constructs
from tests.security.xss_payloads import PAYLOADS

HOME_POSTS = 6  # the home page shows the newest six posts

# What a page prints of stored text is escaped and sanitised by the site's Python,
# alike on either engine: the page tests are marked postgres_pass, but for those
# whose text goes through the engine's own code (the search index, the search).


def assert_safe(html, where=""):
    assert executable_constructs(html) == [], where


def assert_stored_safe(html, where=""):
    """Stored user HTML: nothing executable, and every link marked as the user's."""
    assert executable_constructs(html) == [], where
    for tag, attrs in elements(html):
        if tag == "a":
            assert attrs.get("rel") == LINK_REL, (where, attrs)


def assert_admin_safe(html, baseline, where=""):
    """An admin page: its own forms and scripts, as on the same page without hostile
    text (`baseline`), and nothing more."""
    assert sorted(executable_constructs(html)) == sorted(executable_constructs(baseline)), where


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_markup_never_lets_script_through(payload):
    for rich in (False, True):
        assert_stored_safe(render_markdown(payload, rich=rich))


@pytest.mark.postgres_pass
def test_comment_bodies(client, db):
    post = make_article()
    for payload in PAYLOADS:
        # One author each: the pace rule allows one comment at a time.
        post_comment(author=make_member(), target=post, body=payload + " words")
    for comment in Comment.objects.all():
        assert_stored_safe(comment.body_html, comment.body)
    Comment.objects.update(status=Comment.Status.PUBLISHED)  # held ones too, once kept
    page = get(client, post.get_absolute_url())
    assert page.count('class="comment-text"') == len(PAYLOADS)
    assert_safe(page)


@pytest.mark.postgres_pass
def test_prayer_requests(db):
    """Several seconds: every payload posted through the form by a member of its own,
    its stored text and edit page checked, then each request's page and the wall."""
    texas = State.objects.get(code="TX")
    for n, payload in enumerate(PAYLOADS):
        member = make_member()
        client = Client()
        client.force_login(member)
        response = client.post("/prayers/requests/new/",
                               {"text": payload[:950] + " words", "state": "texas"})
        assert_safe(response.content.decode(), n)
        prayer = Prayer.objects.requests().get(author=member)
        assert_stored_safe(prayer.body_html, n)
        assert_safe(get(client, f"/prayers/requests/{prayer.pk}/edit/"), n)
    Prayer.objects.requests().update(status="published")  # held ones too, once kept
    reader = Client()
    for prayer in Prayer.objects.requests():
        assert_safe(get(reader, prayer.get_absolute_url()), prayer.text)
    pages = 0
    while pages < 50:
        pages += 1
        response = reader.get("/prayers/requests/", {"page": pages})
        if response.status_code == 404:
            break
        assert_safe(response.content.decode(), f"wall page {pages}")
    assert pages > 2  # the whole wall was read, page by page
    for url in (f"/states/{texas.slug}/", "/"):
        assert_safe(get(reader, url), url)


@pytest.mark.postgres_pass
def test_prayer_notes(db):
    """Several seconds: every payload left as a note with "I Prayed" through the form,
    by a member of its own; the stored note, the form that comes back when it cannot
    be taken, the request's page (notes shown to all), and "My prayers"."""
    asker = make_member()
    prayer = make_request(author=asker, notes_public=True)
    for n, payload in enumerate(PAYLOADS):
        client = Client()
        client.force_login(make_member())
        refused = client.post(f"/prayers/{prayer.pk}/prayed/", {"note": payload + "x" * 300})
        assert refused.status_code == 400
        assert_safe(refused.content.decode(), n)
        client.post(f"/prayers/{prayer.pk}/prayed/", {"note": payload[:270] + " words"})
    notes = PrayerNote.objects.filter(prayer=prayer)
    assert notes.count() == len(PAYLOADS)
    for note in notes:
        assert_stored_safe(note.body_html, note.text)
    notes.update(status="published")  # held ones too, once kept
    pagecache.retire()
    page = get(Client(), prayer.get_absolute_url())
    assert page.count('class="note-text"') == len(PAYLOADS)
    assert_safe(page)
    requester = Client()
    requester.force_login(asker)
    assert_safe(get(requester, prayer.get_absolute_url()))
    assert_safe(get(requester, "/accounts/prayers/?show=requests"))


@pytest.mark.postgres_pass
def test_display_names(db):
    """Several seconds: every payload saved as a display name through the profile
    form and its page checked, then the post's thread that prints them all."""
    post = make_article()
    for n, payload in enumerate(PAYLOADS):
        member = make_member()
        client = Client()
        client.force_login(member)
        client.post("/accounts/profile/", {"display_name": payload[:60], "home_state": ""})
        post_comment(author=member, target=post, body="Praying.")
        assert_safe(get(client, "/accounts/profile/"), n)
    assert_safe(get(Client(), post.get_absolute_url()))


def test_article_fields_as_staff(client, db):
    """Several seconds: every payload in every field of a post, and the home page and
    feed checked once for each six posts, as readers meet the newest."""
    posts = []
    for start in range(0, len(PAYLOADS), HOME_POSTS):
        for payload in PAYLOADS[start:start + HOME_POSTS]:
            post = make_article(
                title=payload[:200], body=payload, summary=payload[:300],
                question=payload[:200], source_name=payload[:120],
                source_url="https://example.org/", photo_credit=payload[:200],
                prayer_text=payload,
            )
            assert_stored_safe(post.body_html, payload)
            posts.append(post)
        # The newest posts: on the home page and in the feed.
        assert_safe(get(client, "/"), start)
        feed = get(client, "/articles/feed/")
        assert "<script" not in re.sub(r"&lt;script", "", feed), start
    for post in posts:
        assert_safe(get(client, post.get_absolute_url()), post.title)
    page = 1
    while (response := client.get("/articles/", {"page": page})).status_code == 200:
        assert_safe(response.content.decode(), f"list page {page}")
        page += 1
    assert page > 2


@pytest.mark.postgres_pass
def test_state_notes(client, db):
    texas = State.objects.get(code="TX")
    for n, payload in enumerate(PAYLOADS):
        texas.note = payload
        texas.coordinator_name = payload[:100]
        texas.coordinator_contact = payload[:200]
        texas.save()
        assert_stored_safe(texas.note_html, n)
        assert_safe(get(client, "/states/texas/"), n)


@pytest.mark.postgres_pass
def test_partner_names(db):
    """Several seconds: every payload as a partner's name, through the pledge form."""
    for n, payload in enumerate(PAYLOADS):
        # Each from an address of its own: pledges are limited per network.
        client = Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        client.post("/partner/", {
            "amount_choice": "50", "frequency": "monthly", "first_name": payload[:100],
            "last_name": payload[:100], "email": f"p{n}@example.org", "website": "",
        })
        if PartnerPledge.objects.filter(email=f"p{n}@example.org").exists():
            assert_safe(get(client, "/partner/thanks/"), n)


def test_search_queries(client, db):
    for n, payload in enumerate(PAYLOADS):
        response = client.get("/search/", {"q": payload})
        assert response.status_code in (200, 400), n
        assert_safe(response.content.decode(), n)


@pytest.mark.postgres_pass
def test_partner_names_on_statements_and_the_giving_desk(db):
    """Several seconds: every payload as a partner's name the way the payment page
    gives it to us (Stripe's events), on the statement its mail links to, in the
    statement's PDF, and on the giving desk and partner list staff read."""
    from django.utils import timezone

    from partners import statements
    from partners.models import Gift, Partner

    now = timezone.now()
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    admin_pages = ("/admin/partners/gift/desk/", "/admin/partners/partner/",
                   "/admin/partners/gift/")
    plain = Partner.objects.create(email="plain@example.org", first_name="Plain",
                                   last_name="Giver", subscription_status="active",
                                   monthly_amount_cents=2500)
    Gift.objects.create(partner=plain, kind="monthly", amount_cents=2500, given_at=now,
                        status="paid")
    baseline = {url: get(staff, url) for url in admin_pages}
    reader = Client()
    for n, payload in enumerate(PAYLOADS):
        partner = Partner.objects.create(
            email=f"giver{n}@example.org", first_name=payload[:100], last_name=payload[:100],
            subscription_status="active", monthly_amount_cents=2500)
        Gift.objects.create(partner=partner, kind="monthly", amount_cents=2500, given_at=now,
                            status="paid")
        path = statements.statement_url(partner, now.year).split("://", 1)[-1]
        path = path[path.index("/partner/"):]
        assert_safe(get(reader, path), n)
        pdf = reader.get(path + "pdf/")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), n
    for url in admin_pages:
        assert_admin_safe(get(staff, url), baseline[url], url)


@pytest.mark.postgres_pass
def test_coordinator_names_and_letters_to_them(db):
    """Several seconds: every payload as a state coordinator's name staff type, and as
    a reader's name and letter to them, on the pages that print them: the state's page
    and its form, the word of thanks, and the letter in admin."""
    from library.models import Letter

    texas = State.objects.get(code="TX")
    texas.coordinator_email = "coordinator@tx.example"
    member, staff = Client(), Client()
    member.force_login(make_member())
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    texas.save()
    Client().post("/states/texas/write/", {"name": "Plain Reader", "email": "p@example.org",
                                           "message": "Plain words.", "website": ""})
    plain = Letter.objects.get()
    baseline = {"list": get(staff, "/admin/library/letter/"),
                "letter": get(staff, f"/admin/library/letter/{plain.pk}/change/")}
    for n, payload in enumerate(PAYLOADS):
        texas.coordinator_name = payload[:100]
        texas.save()
        reader = Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        assert_safe(get(reader, "/states/texas/write/"), n)
        assert_safe(get(member, "/states/texas/"), n)
        response = reader.post("/states/texas/write/", {
            "name": payload[:100], "email": f"w{n}@example.org", "message": payload,
            "website": ""}, follow=True)
        assert_safe(response.content.decode(), n)
    for letter in Letter.objects.all():
        assert_admin_safe(get(staff, f"/admin/library/letter/{letter.pk}/change/"),
                          baseline["letter"], letter.pk)
    assert_admin_safe(get(staff, "/admin/library/letter/"), baseline["list"])
