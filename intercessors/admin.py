from django.contrib import admin

from .models import SitePage
from .pagecache import RetirePagesAdminMixin


@admin.register(SitePage)
class SitePageAdmin(RetirePagesAdminMixin, admin.ModelAdmin):
    """The about, contact and privacy pages: their text changes, the pages stay."""

    list_display = ["title", "kind", "updated_at"]
    fields = ["title", "body"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
