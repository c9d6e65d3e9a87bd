"""Up next at the end of a post: the next newer post; for the newest, the newest
other post sharing a state or a topic; failing that, the next older one."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.selectors import up_next
from articles.services import publish_post, save_post
from states.models import State
from tests.factories import make_article, make_topic


def post(title, *, hours_ago, **extra):
    return make_article(title=title, published_at=timezone.now() - timedelta(hours=hours_ago),
                        **extra)


def shown(article):
    """`article` as the post page loads it."""
    return Article.objects.prefetch_related("topics", "states").get(pk=article.pk)


def up_next_of(client, article) -> str:
    """The title Up next links to on the post's page, or "" when it shows none."""
    html = client.get(article.get_absolute_url()).content.decode()
    found = re.search(r'<aside class="up-next.*?<a href="[^"]+">([^<]+)</a>', html, re.S)
    return found.group(1) if found else ""


def test_the_next_newer_post_comes_next(db):
    oldest = post("Oldest", hours_ago=30)
    middle = post("Middle", hours_ago=20)
    newest = post("Newest", hours_ago=10)
    assert up_next(shown(oldest)) == middle
    assert up_next(shown(middle)) == newest


def test_posts_of_the_same_moment_follow_their_ids(db):
    at = timezone.now() - timedelta(hours=1)
    first = make_article(title="First", published_at=at)
    second = make_article(title="Second", published_at=at)
    assert up_next(shown(first)) == second
    assert up_next(shown(second)) == first  # the newest: the next older


@pytest.mark.parametrize("shared", ["topic", "state"])
def test_the_newest_post_leads_to_the_newest_one_sharing_a_topic_or_state(db, shared):
    storms, texas = make_topic("Storms"), State.objects.get(code="TX")
    links = {"topics": [storms]} if shared == "topic" else {"states": [texas]}
    related = post("Related", hours_ago=30, **links)
    post("Older related", hours_ago=40, **links)
    post("Unrelated", hours_ago=20, topics=[make_topic("Schools")],
         states=[State.objects.get(code="OH")])
    newest = post("Newest", hours_ago=1, **links)
    assert up_next(shown(newest)) == related


def test_the_newest_post_sharing_nothing_leads_to_the_next_older(db):
    post("Old", hours_ago=30, topics=[make_topic("Storms")])
    next_older = post("Next older", hours_ago=20)
    newest = post("Newest", hours_ago=1, topics=[make_topic("Schools")])
    assert up_next(shown(newest)) == next_older


def test_never_a_draft_a_scheduled_post_or_itself(db):
    storms = make_topic("Storms")
    older = post("Older", hours_ago=30, topics=[storms])
    post("A draft", hours_ago=20, topics=[storms], status=Article.Status.DRAFT)
    make_article(title="Tomorrow", published_at=timezone.now() + timedelta(days=1),
                 topics=[storms])
    newest = post("Newest", hours_ago=10, topics=[storms])
    assert up_next(shown(older)) == newest
    assert up_next(shown(newest)) == older
    older.delete()  # the draft and the scheduled post remain: nothing to show
    assert up_next(shown(newest)) is None


def test_the_post_page_ends_with_up_next(client, db):
    older = post("Harbor pier", hours_ago=30)
    newer = post("Flood relief", hours_ago=10, summary="Volunteers fill sandbags by the river.")
    html = client.get(older.get_absolute_url()).content.decode()
    card = html[html.index('<aside class="up-next'):]
    card = card[:card.index("</aside>")]
    assert "Up next" in card and f'href="{newer.get_absolute_url()}"' in card
    assert "Flood relief" in card and "Volunteers fill sandbags by the river." in card
    # After the post's text and before the conversation.
    assert html.index('class="post-body"') < html.index("up-next") < html.index(
        'id="conversation"')


def test_a_lone_post_shows_no_up_next(client, db):
    lone = post("Alone", hours_ago=1)
    assert "up-next" not in client.get(lone.get_absolute_url()).content.decode()


def test_the_kept_post_page_follows_what_is_published(client, db):
    older = post("Harbor pier", hours_ago=30)
    newest = post("Flood relief", hours_ago=10)
    assert up_next_of(client, newest) == "Harbor pier"
    assert up_next_of(client, newest) == "Harbor pier"  # the kept page
    fresh = Article(title="School board", slug="school-board", body="The board meets.",
                    status=Article.Status.DRAFT)
    save_post(article=fresh, prayer_text="Father, give the board wisdom.")
    assert up_next_of(client, newest) == "Harbor pier"  # a draft is not next
    publish_post(article=fresh)
    assert up_next_of(client, newest) == "School board"
    fresh.status = Article.Status.DRAFT
    save_post(article=fresh)  # taken down again
    assert up_next_of(client, newest) == "Harbor pier"
    older.title = "Harbor pier reopens"
    save_post(article=older)  # edited
    assert up_next_of(client, newest) == "Harbor pier reopens"


@pytest.mark.parametrize("newest", [False, True])
def test_post_page_query_count_with_up_next(client, running_site, django_assert_num_queries,
                                            newest):
    storms = make_topic("Storms")
    older = post("Older", hours_ago=30, topics=[storms])
    newer = post("Newer", hours_ago=10, topics=[storms])
    # the versions, post + prayer, topics, states, Up next (the next newer; for the
    # newest, the newest sharing a topic or state, else the next older, in one),
    # comments, the live count
    with django_assert_num_queries(8 if newest else 7):
        page = client.get((newer if newest else older).get_absolute_url())
    assert page.status_code == 200 and "up-next" in page.content.decode()
