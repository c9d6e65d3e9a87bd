"""Writes on prayer posts: a post is saved with its prayer, which opens it and
appears and disappears with it, and every save retires the pages that show it."""
from django.db import transaction
from django.utils import timezone

from intercessors import pagecache
from prayers.models import Prayer

from .models import Article


@transaction.atomic
def save_post(*, article: Article, prayer_text: str | None = None, topics=None,
              states=None) -> Article:
    """Save `article` (and, when given, its prayer's text, topics and states). Its
    search vector is kept by the database itself (articles migration 0005)."""
    article.save()
    if topics is not None:
        article.topics.set(topics)
    if states is not None:
        article.states.set(states)
    if prayer_text is not None:
        Prayer.objects.update_or_create(
            article=article, defaults={"text": prayer_text, "published_at": article.published_at}
        )
    else:
        # Whatever saved the prayer (an admin inline), it follows its post's time.
        Prayer.objects.filter(article=article).update(published_at=article.published_at)
    pagecache.retire()
    return article


def publish_post(*, article: Article, at=None) -> Article:
    """Publish now, or schedule for `at`: a post with a time to come appears then."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    return save_post(article=article)
