"""Admin for the site's own pages."""
from django.contrib import admin

from library.admin import RetirePagesAdminMixin

from .models import SitePage


@admin.register(SitePage)
class SitePageAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """The about, contact and privacy pages: their text changes, the pages stay."""

    list_display = ["title", "kind", "updated_at"]
    fields = ["title", "body"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
