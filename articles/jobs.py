"""Jobs on prayer posts, run by the background worker (library.jobs)."""
from library import jobs
from library.pages import pagecache
from library.rules import is_published

from .models import Article


def post_goes_live(article_id: int) -> bool:
    """A scheduled post's moment has come: retire the cached pages, so lists, its
    states' pages and the feed show it at once. False if it was moved or withdrawn."""
    article = Article.objects.filter(pk=article_id).only("status", "published_at").first()
    if article is None or article.status != Article.Status.PUBLISHED:
        return False
    if not jobs.wait_until(article.published_at):
        return False  # moved later: its new schedule runs then
    if not is_published(article.status, article.published_at):
        return False
    pagecache.retire()
    return True
