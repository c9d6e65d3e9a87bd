from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "email", "home_state", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "home_state"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["home_state"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Member", {"fields": ["display_name", "home_state", "deleted_at"]}),
    )
    readonly_fields = ["deleted_at", "last_login", "date_joined"]
    autocomplete_fields = ["home_state"]
