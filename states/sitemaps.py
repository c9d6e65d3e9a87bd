from library.web.sitemaps import SiteSitemap

from .models import State


class StateSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return State.objects.only("slug")
