from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article


def words(n):
    return " ".join(["pray"] * n)


@pytest.mark.parametrize(
    ("count", "minutes"),
    [(1, 1), (120, 1), (374, 1), (375, 2), (624, 2), (625, 3), (756, 3), (2000, 8)],
)
def test_reading_time_is_words_over_250_rounded_at_least_one(db, count, minutes):
    assert make_article(body=words(count)).reading_time == minutes


def test_reading_time_counts_words_not_markup(db):
    article = make_article(body="**" + "pray " * 756 + "** [link](https://example.org)")
    assert article.reading_time == 3


def test_body_is_sanitised_when_saved(db):
    article = make_article(
        body=(
            "<script>alert(1)</script>\n\n"
            "<img src=x onerror=alert(2)>\n\n"
            "[click](javascript:alert(3))\n\n"
            '<iframe src="https://example.org"></iframe>\n\n'
            "## Heading\n\n**kept**"
        )
    )
    html = article.body_html
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert "<h2>Heading</h2>" in html and "<strong>kept</strong>" in html


def test_links_in_body_carry_rel(db):
    article = make_article(body="[source](https://example.org/story)")
    assert 'rel="nofollow ugc noopener"' in article.body_html


def test_safe_source_url_only_for_web_addresses(db):
    assert make_article(source_url="https://example.org/a").safe_source_url
    assert make_article(source_url="javascript:alert(1)").safe_source_url == ""


def test_published_excludes_drafts_and_scheduled(db):
    live = make_article()
    make_article(status="draft")
    make_article(published_at=timezone.now() + timedelta(days=1))
    assert list(Article.objects.published()) == [live]


def test_description_falls_back_to_excerpt_text(db):
    article = make_article(body="**Bold** opening words of the story.")
    assert article.description == "Bold opening words of the story."
    article.summary = "Written summary."
    article.save()
    assert article.description == "Written summary."
