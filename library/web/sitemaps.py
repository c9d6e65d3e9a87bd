"""Sitemaps whose addresses come from SITE_URL, whatever Host a request carried:
a base class for each app's sitemap, and the index that lists their pages."""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


class SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(SiteSitemap):
    """Pages named by their URL names, such as the home page and the lists."""

    changefreq = "daily"

    def __init__(self, names):
        self.names = names

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


@require_safe
@x_robots_tag
def index(request, sitemaps):
    """Every page of every section, so a section larger than one sitemap's limit
    (50,000 addresses, here fewer) is listed whole."""
    items = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        url = settings.SITE_URL + reverse("sitemap-section", kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        items.append(SitemapIndexItem(url, lastmod))
        items += [SitemapIndexItem(f"{url}?p={n}", lastmod)
                  for n in range(2, sitemap.paginator.num_pages + 1)]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )
