from django.db.models import Max
from django.urls import reverse

from intercessors.sitemaps import SiteSitemap
from prayers.models import State

from .models import Article


class ArticleSitemap(SiteSitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class StateSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return State.objects.only("slug")


class PageSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "articles:list", "states:index", "partner:signup"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "states": StateSitemap}
