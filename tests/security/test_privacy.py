"""No page shows anyone's email address: the seeded site, crawled from the home page
by following its links (every shape of page, at most PER_SHAPE of each), as a reader,
a member and a staff editor."""
import io
import re
from collections import Counter, deque
from urllib.parse import parse_qsl

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from partners.models import PartnerPledge
from states.models import State
from tests.factories import make_comment

# What the pages print does not depend on the engine: the PostgreSQL pass only.
pytestmark = pytest.mark.postgres_pass

LINK = re.compile(r'href="(/[^"#]*)')
SKIP = ("/admin/", "/static/", "/media/", "/accounts/logout/")


# Pages of one shape (a leader's page, a post, a page of a list) crawled at most:
# every post and page of the demo, but not each of the 539 leaders'.
PER_SHAPE = 25


def shape(url: str) -> tuple:
    """ "/leaders/ted-cruz/" and "/leaders/maria-cantwell/" are one shape."""
    path, _, query = url.partition("?")
    parts = path.strip("/").split("/")
    return parts[0], len(parts), tuple(sorted(k for k, _ in parse_qsl(query)))


def crawl(client, limit=400):
    seen, queue, pages, shapes = set(), deque(["/"]), {}, Counter()
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP) or shapes[shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(link.replace("&amp;", "&") for link in LINK.findall(html))
    return pages


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())
    grace = User.objects.get(email="grace@intercessors.example")
    samuel = User.objects.get(email="samuel@intercessors.example")
    first = grace.comments.first()
    make_comment(target=first.target, author=samuel, parent=first, body="Amen to that.")
    PartnerPledge.objects.create(
        reference="P-PRIV1", first_name="Pat", last_name="Donor", email="pat.donor@example.net",
        amount=25, frequency="monthly",
    )
    return grace, samuel


@pytest.mark.parametrize("who", ["reader", "member", "editor"])
def test_no_page_prints_an_email_address(seeded, who):
    """Several seconds each: every page the seeded site links to, crawled; an address
    can leak from any of them, and only a crawl finds the ones nobody listed."""
    grace, _ = seeded
    client = Client()
    me = None
    if who == "member":
        me = grace
    elif who == "editor":
        me = User.objects.get(email="editor@intercessors.example")
    if me:
        client.force_login(me)
    emails = {u.email for u in User.objects.exclude(email="")} | set(
        PartnerPledge.objects.values_list("email", flat=True)
    ) | set(State.objects.exclude(coordinator_email="").values_list(
        "coordinator_email", flat=True))
    assert "texas.coordinator@intercessors.example" in emails
    forbidden = emails - ({me.email} if me else set())
    pages = crawl(client)
    assert len(pages) > 25, sorted(pages)
    leaks = {url: [e for e in forbidden if e in html] for url, html in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}
    if me:  # their own address: only on their account pages and prefilled in the partner form
        own = [url for url, html in pages.items() if me.email in html]
        assert all(url.startswith(("/accounts/", "/partner/")) for url in own), own
