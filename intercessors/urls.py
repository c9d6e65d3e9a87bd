from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Intercessors staff"
admin.site.site_title = "Intercessors staff"
# Staff log in through the same rate-limited, verified-email login as members.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("articles/", include("articles.urls")),
    path("states/", include("prayers.state_urls")),
    path("partner/", include("accounts.partner_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
