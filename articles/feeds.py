from django.conf import settings
from django.contrib.syndication.views import Feed

from .models import Article


class LatestArticlesFeed(Feed):
    title = "Intercessors: prayer posts"
    link = "/articles/"
    description = "The latest prayer posts from Intercessors."

    def items(self):
        return Article.objects.published().select_related("prayer")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        prayer = getattr(item, "prayer", None)
        return f"{prayer.text}\n\n{item.description}" if prayer else item.description

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def feed_url(self):
        return f"{settings.SITE_URL}/articles/feed/"
