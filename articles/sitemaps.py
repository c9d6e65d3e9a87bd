from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from prayers.models import State

from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class StateSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return State.objects.only("slug")


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "articles:list", "states:index", "partner:signup"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "states": StateSitemap}
