from library.web.sitemaps import SiteSitemap

from .models import Leader


class LeaderSitemap(SiteSitemap):
    """Every leader's page, those who left office too: their prayers stay."""

    changefreq = "weekly"

    def items(self):
        return Leader.objects.only("slug").order_by("id")
