from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Intercessors staff"
admin.site.site_title = "Intercessors staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("articles/", include("articles.urls")),
    path("states/", include("prayers.state_urls")),
    path("partner/", include("accounts.partner_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
