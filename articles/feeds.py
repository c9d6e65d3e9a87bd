from django.conf import settings
from django.contrib.syndication.views import Feed

from .models import Article


class LatestArticlesFeed(Feed):
    """Links are built from SITE_URL, never from the Host a request carried."""

    title = "Intercessors: prayer posts"
    description = "The latest prayer posts from Intercessors."

    def link(self):
        return f"{settings.SITE_URL}/articles/"

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def items(self):
        return Article.objects.published().select_related("prayer")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        prayer = item.opening_prayer
        return f"{prayer.text}\n\n{item.description}" if prayer else item.description

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def feed_url(self):
        return f"{settings.SITE_URL}/articles/feed/"
