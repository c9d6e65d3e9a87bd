"""Every hostile payload, through every place text enters the site: what is stored
and what pages print contain nothing that could run, and links carry rel."""
import re

import pytest
from django.test import Client

from comments.models import Comment
from comments.services import post_comment
from intercessors.markup import LINK_REL, render_markdown
from partners.models import PartnerPledge
from states.models import State
from tests.factories import make_article, make_member
from tests.html_checks import elements, executable_constructs
from tests.security.xss_payloads import PAYLOADS

pytestmark = pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))


def assert_safe(html):
    assert executable_constructs(html) == []


def assert_stored_safe(html):
    """Stored user HTML: nothing executable, and every link marked as the user's."""
    assert executable_constructs(html) == []
    for tag, attrs in elements(html):
        if tag == "a":
            assert attrs.get("rel") == LINK_REL, attrs


def test_markup_never_lets_script_through(payload):
    for rich in (False, True):
        assert_stored_safe(render_markdown(payload, rich=rich))


def test_comment_body(client, db, payload):
    post = make_article()
    post_comment(author=make_member(), target=post, body=payload + " words")
    assert_stored_safe(Comment.objects.get().body_html)
    assert_safe(client.get(post.get_absolute_url()).content.decode())


def test_prayer_request(client, db, payload):
    from prayers.models import Prayer

    client.force_login(make_member())
    response = client.post("/prayers/requests/new/",
                           {"text": payload[:950] + " words", "state": "texas"})
    assert_safe(response.content.decode())
    prayer = Prayer.objects.requests().get()
    assert_stored_safe(prayer.body_html)
    Prayer.objects.filter(pk=prayer.pk).update(status="published")  # held ones too, once kept
    for url in (prayer.get_absolute_url(), "/prayers/requests/", "/states/texas/", "/"):
        assert_safe(Client().get(url).content.decode())
    assert_safe(client.get(f"/prayers/requests/{prayer.pk}/edit/").content.decode())


def test_display_name(client, db, payload):
    member = make_member()
    client.force_login(member)
    client.post("/accounts/profile/", {"display_name": payload[:60], "home_state": ""})
    post = make_article()
    post_comment(author=member, target=post, body="Praying.")
    for page in (client.get("/accounts/profile/"), Client().get(post.get_absolute_url())):
        assert_safe(page.content.decode())


def test_article_fields_as_staff(client, db, payload):
    post = make_article(
        title=payload[:200], body=payload, summary=payload[:300], question=payload[:200],
        source_name=payload[:120], source_url="https://example.org/",
        photo_credit=payload[:200], prayer_text=payload,
    )
    assert_stored_safe(post.body_html)
    for url in (post.get_absolute_url(), "/articles/", "/", "/articles/feed/"):
        body = client.get(url).content.decode()
        if url.endswith("feed/"):
            assert "<script" not in re.sub(r"&lt;script", "", body)
        else:
            assert_safe(body)


def test_state_note(client, db, payload):
    texas = State.objects.get(code="TX")
    texas.note = payload
    texas.coordinator_name = payload[:100]
    texas.coordinator_contact = payload[:200]
    texas.save()
    assert_stored_safe(texas.note_html)
    assert_safe(client.get("/states/texas/").content.decode())


def test_partner_names(client, db, payload):
    client.post("/partner/", {
        "amount_choice": "50", "frequency": "monthly", "first_name": payload[:100],
        "last_name": payload[:100], "email": "p@example.org", "website": "",
    })
    page = client.get("/partner/thanks/") if PartnerPledge.objects.exists() else None
    if page is not None:
        assert_safe(page.content.decode())


def test_search_query(client, db, payload):
    response = client.get("/search/", {"q": payload})
    assert response.status_code in (200, 400)
    assert_safe(response.content.decode())
