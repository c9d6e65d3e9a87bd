"""Writes on prayer posts: a post is saved with its prayer, which opens it and
appears and disappears with it, and every save retires the pages that show it."""
import logging

from django.db import transaction
from django.utils import timezone

from library import jobs
from library.pages import pagecache
from library.web.images import renditions
from prayers.models import Prayer

from .models import Article

logger = logging.getLogger(__name__)


@transaction.atomic
def save_post(*, article: Article, prayer_text: str | None = None, topics=None,
              states=None) -> Article:
    """Save `article` (and, when given, its prayer's text, topics and states). Its
    search vector is kept by the database itself (articles migration 0005)."""
    article.save()
    _make_photo_sizes(article)
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
    _schedule_going_live(article)
    return article


def _schedule_going_live(article: Article) -> None:
    """A post scheduled for later: cached pages are retired the moment it appears
    (articles.jobs.post_goes_live); moved or unpublished, the job moves or goes."""
    name = f"Post {article.pk} goes live"
    if article.status == Article.Status.PUBLISHED and article.published_at > timezone.now():
        jobs.at(name, "articles.jobs.post_goes_live", article.published_at, article.pk)
    else:
        jobs.cancel(name)


def _make_photo_sizes(article: Article) -> None:
    """Phone, desktop and link-preview sizes of the photo, made when it changes."""
    if not article.photo:
        if article.photo_large:
            article.photo_small = article.photo_large = article.photo_share = ""
            article.photo_width = article.photo_height = None
            article.save(update_fields=["photo_small", "photo_large", "photo_share",
                                        "photo_width", "photo_height"])
        return
    stem = article.photo.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if article.photo_large and f"/{stem}-large." in article.photo_large.name:
        return  # made from this photo already
    try:
        # Through the storage (a folder or a bucket), never a path on this machine.
        with article.photo.open("rb") as stored:
            made = renditions(stored)
    except (OSError, SyntaxError, ValueError) as error:
        # Not an image Pillow can read (uploads are checked; a shell is not): the
        # page shows the photo as stored.
        logger.warning("No sizes made for the photo of post %s: %s", article.pk, error)
        return
    for name in ("small", "large", "share"):
        getattr(article, f"photo_{name}").save(made[name][0].name, made[name][0], save=False)
    _, article.photo_width, article.photo_height = made["large"]
    article.save(update_fields=["photo_small", "photo_large", "photo_share", "photo_width",
                                "photo_height"])


def publish_post(*, article: Article, at=None) -> Article:
    """Publish now, or schedule for `at`: a post with a time to come appears then."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    return save_post(article=article)
