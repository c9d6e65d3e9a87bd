from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.sitemaps import ArticleSitemap
from events import views as event_views
from events.sitemaps import EventSitemap
from leaders.sitemaps import LeaderSitemap
from library import health
from library.mail import provider
from library.web import sitemaps
from partners.urls import account_patterns as giving_patterns
from states.sitemaps import StateSitemap

from . import views

handler500 = "intercessors.views.server_error"

# Each app says what it shows to crawlers; the site lists them together.
SITEMAPS = {
    "pages": lambda: sitemaps.PageSitemap(
        ["home", "articles:list", "states:index", "leaders:list", "events:list",
         "events:recordings", "partner:signup"]
    ),
    "articles": ArticleSitemap,
    "states": StateSitemap,
    "leaders": LeaderSitemap,
    "events": EventSitemap,
}

admin.site.site_header = "Intercessors staff"
admin.site.site_title = "Intercessors staff"
# Staff log in through the same rate-limited, verified-email login as members.
admin.site.login = secure_admin_login(admin.site.login)


def _admin_index_with_work(request, extra_context=None):
    """The admin home page opens with what waits: held comments, reports, pledges."""
    context = {**(extra_context or {}), "waiting": views.waiting_work(request.user)}
    return AdminSite.index(admin.site, request, context)


admin.site.index = _admin_index_with_work

# The ministry's own pages, written by staff in admin.
site_pages = (
    [path(f"{kind}/", views.site_page, {"kind": kind}, name=kind)
     for kind in ("about", "privacy")]
    + [path("contact/", views.contact, name="contact"),
       path("contact/sent/", views.contact_sent, name="contact-sent")],
    "pages",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("favicon.ico", views.favicon),
    path("", include(site_pages)),
    path("articles/", include("articles.urls")),
    path("prayers/", include("prayers.urls")),
    path("comments/", include("comments.urls")),
    # A state's weekly calls had their feed here before they became events.
    path("states/<slug:slug>/calls.ics", event_views.state_calendar, name="state-calls-ics"),
    path("states/", include("states.urls")),
    path("events/", include("events.urls")),
    path("leaders/", include("leaders.urls")),
    path("partner/", include("partners.urls")),
    path("updates/", include("updates.urls")),
    # The mail provider's bounces and complaints (library.mail.provider).
    path("mail/events/<slug:provider>/tracking/", provider.tracking, name="provider-events"),
    path("accounts/giving/", include((giving_patterns, "giving"))),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]


# Uploaded photos, where the site serves them itself (views.media says when).
urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.media, name="media"))
