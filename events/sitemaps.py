from library.web.sitemaps import SiteSitemap

from .models import Event


class EventSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Event.objects.listed().only("slug")
