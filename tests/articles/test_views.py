import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.selectors import posts_of_the_week
from prayers.models import Prayer
from states.models import State
from tests.factories import make_article, make_member, make_topic


def png(size=(1, 1)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (40, 80, 120)).save(out, format="PNG")
    return out.getvalue()


PNG = png()


@pytest.fixture
def post(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_article(
        title="Harbor town rebuilds its pier",
        body=" ".join(["word"] * 756),
        prayer_text="Father, we pray that the harbor town finds strength to rebuild.",
        question="How are you praying for the harbor town?",
        source_name="The Harbor Herald",
        source_url="https://example.org/harbor/pier",
        photo=SimpleUploadedFile("pier.png", PNG, content_type="image/png"),
        photo_alt="The old pier at dawn",
        photo_credit="Jo Lane for The Harbor Herald",
        topics=[make_topic("Disaster Relief")],
        states=[State.objects.get(code="ME")],
    )


def test_post_page_reads_top_to_bottom(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    order = [
        "Father, we pray that the harbor town finds strength to rebuild.",
        "I Prayed",
        "Be the first to pray",
        "Reading Time: 3 minutes",
        "Harbor town rebuilds its pier</h1>",
        'href="/articles/?topic=disaster-relief"',
        'href="/states/maine/"',
        'alt="The old pier at dawn"',
        'From <a href="https://example.org/harbor/pier" rel="noopener">'
        "<cite>The Harbor Herald</cite>",
        # The excerpt line as readers know it, the photo credit in it.
        "(Excerpt from <cite>The Harbor Herald</cite>. "
        "Photo Credit: Jo Lane for The Harbor Herald)",
        '<a href="/states/">Visit your state page to pray.</a>',
        "Become a Monthly Partner",
        "How are you praying for the harbor town? Share your thoughts and prayers below.",
    ]
    positions = [html.find(text) for text in order]
    assert -1 not in positions, [t for t, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_post_page_meta_and_share_links(client, post, settings):
    settings.SITE_URL = "https://pray.example.org"
    html = client.get(post.get_absolute_url()).content.decode()
    url = f"https://pray.example.org{post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Harbor town rebuilds its pier">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta name="description" content="word word' in html
    assert "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fpray.example.org" in html
    assert "https://x.com/intent/post?url=https%3A%2F%2Fpray.example.org" in html
    assert "mailto:?subject=Harbor%20town%20rebuilds%20its%20pier" in html
    assert "data-copy-link" in html and "data-print" in html and "data-share" in html
    assert "<script>" not in html  # no inline script; share links are plain links


def test_state_link_goes_to_members_home_state(client, post):
    client.force_login(make_member(home_state=State.objects.get(code="TX")))
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<a href="/states/texas/">Visit your state page to pray.</a>' in html


def test_count_labels(client, post):
    from library.pages import pagecache

    # Counters written straight to the table, so the test retires the cached page itself.
    Prayer.objects.filter(pk=post.prayer.pk).update(prayed_count=1204)
    pagecache.retire()
    assert "1,204 have prayed" in client.get(post.get_absolute_url()).content.decode()
    Prayer.objects.filter(pk=post.prayer.pk).update(prayed_count=1)
    pagecache.retire()
    assert "1 person has prayed" in client.get(post.get_absolute_url()).content.decode()


def test_drafts_and_scheduled_posts_are_hidden_but_staff_preview(client, db):
    draft = make_article(status="draft", title="Draft post")
    scheduled = make_article(published_at=timezone.now() + timedelta(days=2), title="Later post")
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(make_member())
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(make_member(is_staff=True))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this post is a draft" in response.content.decode()
    assert "scheduled for" in client.get(scheduled.get_absolute_url()).content.decode()
    listing = client.get("/articles/").content.decode()
    assert "Draft post" not in listing and "Later post" not in listing


def test_list_pages_by_twelve_newest_first(client, db):
    now = timezone.now()
    for i in range(14):
        make_article(title=f"Post {i:02d}", published_at=now - timedelta(hours=i))
    page1 = client.get("/articles/").content.decode()
    assert page1.count('class="post-card"') == 12
    assert page1.find("Post 00") < page1.find("Post 01")
    assert "Page 1 of 2" in page1
    page2 = client.get("/articles/?page=2").content.decode()
    assert page2.count('class="post-card"') == 2 and "Post 13" in page2
    assert client.get("/articles/?page=3").status_code == 404
    assert client.get("/articles/?page=abc").status_code == 404


def test_list_filters_by_topic_and_state(client, db):
    health = make_topic("Health")
    texas = State.objects.get(code="TX")
    make_article(title="Clinic news", topics=[health])
    make_article(title="Texas rain", states=[texas])
    by_topic = client.get("/articles/?topic=health").content.decode()
    assert "Clinic news" in by_topic and "Texas rain" not in by_topic
    by_state = client.get("/articles/?state=texas").content.decode()
    assert "Texas rain" in by_state and "Clinic news" not in by_state
    assert client.get("/articles/?topic=nothing-here").status_code == 404
    assert client.get("/articles/?state=atlantis").status_code == 404


def test_home_shows_latest_posts_and_state_prayers(client, db):
    make_article(title="Newest post on the home page")
    prayer = Prayer.objects.create(
        text="Father, we pray for Maine tonight.", state=State.objects.get(code="ME")
    )
    html = client.get("/").content.decode()
    assert "Newest post on the home page" in html
    assert "Father, we pray for Maine tonight." in html
    assert f'action="/prayers/{prayer.pk}/prayed/"' in html


def test_feed_sitemap_and_robots(client, db):
    live = make_article(title="Live in the feed")
    draft = make_article(title="Not yet in the feed", status="draft")
    feed = client.get("/articles/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/rss+xml")
    body = feed.content.decode()
    assert "Live in the feed" in body and "Not yet in the feed" not in body
    sitemap = every_sitemap_entry(client)
    assert live.get_absolute_url() in sitemap and draft.get_absolute_url() not in sitemap
    assert "/states/texas/" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: " in robots.content.decode() and "Disallow: /admin/" in robots.content.decode()


def every_sitemap_entry(client, **headers):
    """Every address the sitemap index leads to, read as a crawler would."""
    from django.conf import settings

    index = client.get("/sitemap.xml", **headers)
    assert index.status_code == 200 and "<sitemapindex" in index.content.decode()
    entries = []
    for location in re.findall(r"<loc>([^<]+)</loc>", index.content.decode()):
        assert location.startswith(settings.SITE_URL + "/sitemap-"), location
        page = client.get(location.removeprefix(settings.SITE_URL), **headers)
        assert page.status_code == 200, location
        entries += re.findall(r"<loc>([^<]+)</loc>", page.content.decode())
    return "\n".join(entries)


def test_the_sitemap_lists_every_published_post_across_pages(client, db, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    posts = [make_article() for _ in range(5)]
    entries = every_sitemap_entry(client)
    for post in posts:
        assert post.get_absolute_url() in entries


def test_sitemap_and_feed_links_use_the_sites_address_not_the_requests(client, db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    settings.SITE_URL = "https://pray.example.org"
    post = make_article()
    entries = every_sitemap_entry(client, HTTP_HOST="other.example")
    assert f"https://pray.example.org{post.get_absolute_url()}" in entries
    feed = client.get("/articles/feed/", HTTP_HOST="other.example").content.decode()
    assert f"https://pray.example.org{post.get_absolute_url()}" in feed
    assert "other.example" not in entries + feed


@pytest.mark.parametrize("marks", [0, 500])
def test_post_page_query_count_does_not_grow_with_marks(
    client, db, running_site, django_assert_num_queries, marks
):
    from prayers.models import PrayerMark

    post = make_article(topics=[make_topic()], states=[State.objects.get(code="TX")])
    members = [make_member() for _ in range(marks)]
    PrayerMark.objects.bulk_create(PrayerMark(user=m, prayer=post.prayer) for m in members)
    # the versions, post + prayer, topics, states, Up next (none newer, none alike,
    # then the newest other: none), comments (then kept for every reader), and the
    # live count
    with django_assert_num_queries(9):
        assert client.get(post.get_absolute_url()).status_code == 200
    client.force_login(make_member(home_state=State.objects.get(code="OH")))
    # the kept render: session, member with state, the versions, the live count
    # with the member's mark
    with django_assert_num_queries(4):
        assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("posts", [1, 50])
def test_list_page_query_count_does_not_grow_with_posts(
    client, db, running_site, django_assert_num_queries, posts
):
    topic = make_topic()
    for _ in range(posts):
        make_article(topics=[topic], states=[State.objects.get(code="TX")])
    posts_of_the_week()  # the week's rankings, kept for every worker once a minute
    # the versions, count, the page's ids, posts + prayers, topics, states, the
    # posts' comment counts, the topics and the states to filter by, the week's
    # rankings (none prayed or read: no posts to read for them), live counts
    with django_assert_num_queries(11):
        assert client.get("/articles/").status_code == 200
    client.force_login(make_member())
    # the kept render: session, member, versions, live counts with the member's marks
    with django_assert_num_queries(4):
        assert client.get("/articles/").status_code == 200
    # home: versions, posts, topics, states, prayers, the wall's newest requests, its
    # newest praise reports, the week's rankings, the day's leaders and (none yet) the
    # leaders to choose from, live counts, + session and member
    with django_assert_num_queries(13):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "query", ["?topic=%00", "?state=%00", "?topic=a%20b", "?state=" + "x" * 300]
)
def test_malformed_filters_are_404_not_500(client, db, query):
    assert client.get("/articles/" + query).status_code == 404


def test_teaser_is_escaped_once(client, db):
    article = make_article(title="Cartoon", body="Tom & Jerry <3 the town.")
    assert article.description == "Tom & Jerry <3 the town."
    html = client.get("/articles/").content.decode()
    assert "Tom &amp; Jerry &lt;3 the town." in html and "&amp;amp;" not in html


def test_search_covers_the_summary_on_every_database(client, db):
    make_article(title="Plain title", summary="A note about lighthouses.")
    assert "Plain title" in client.get("/search/", {"q": "lighthouses"}).content.decode()


def test_the_photo_credit_shows_with_its_photo(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Photo Credit: Jo Lane for The Harbor Herald" in html


def test_readers_are_told_what_logging_in_lets_them_do(client, db):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert "Log in to Join the Conversation" in html
    assert ("Log in to your account to start a discussion, comment, pray and interact with "
            "our community.") in html


def test_the_list_filters_by_state_from_the_page_and_cards_count_comments(client, db):
    from tests.factories import make_comment, make_member

    texas = State.objects.get(code="TX")
    about_texas = make_article(title="Texas storms", states=[texas])
    make_article(title="Ohio schools", states=[State.objects.get(code="OH")])
    for _ in range(2):
        make_comment(target=about_texas, author=make_member())
    make_comment(target=about_texas, author=make_member(), status="pending")
    html = client.get("/articles/").content.decode()
    assert '<select id="state-filter" name="state">' in html
    assert '<option value="texas">Texas</option>' in html
    assert "2 comments</a>" in html and "0 comments</a>" in html
    filtered = client.get("/articles/", {"state": "texas"}).content.decode()
    assert "Texas storms" in filtered and "Ohio schools" not in filtered
    assert '<option value="texas" selected>Texas</option>' in filtered


def test_a_photo_credit_is_never_printed_without_a_photo(client, db):
    bare = make_article(title="A post with no picture", photo_credit="Someone Else",
                        source_name="The Valley Times", is_excerpt=True)
    page = client.get(bare.get_absolute_url()).content.decode()
    assert "Photo Credit" not in page and "Someone Else" not in page
    assert "The Valley Times" in page  # the excerpt's source is still named
    alone = make_article(title="Only a credit", photo_credit="Someone Else")
    page = client.get(alone.get_absolute_url()).content.decode()
    assert "Photo Credit" not in page and "attribution" not in page
