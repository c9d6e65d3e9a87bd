from django.contrib import admin, messages
from django.contrib.admin.models import DELETION
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from library.admin import RetirePagesAdminMixin, record
from library.rules import counted

from .models import User
from .services import delete_account


@admin.register(User)
class UserAdmin(RetirePagesAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "home_state", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "home_state"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["home_state"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Member", {"fields": ["display_name", "home_state", "deleted_at"]}),
    )
    readonly_fields = ["deleted_at", "last_login", "date_joined"]
    autocomplete_fields = ["home_state"]
    actions = ["delete_accounts"]

    def has_delete_permission(self, request, obj=None):
        # Rows stay so what members wrote keeps its place and prayer counts stay
        # true; "Delete accounts" wipes the personal data instead.
        return False

    @admin.action(description="Delete accounts (wipe personal data)", permissions=["change"])
    def delete_accounts(self, request, queryset):
        users = list(queryset.filter(deleted_at__isnull=True).exclude(pk=request.user.pk))
        # Recorded first, by number alone: the name and address are about to go.
        record(request, users, "Deleted the account (personal data wiped)", flag=DELETION,
               name=lambda user: f"Account #{user.pk}")
        for user in users:
            delete_account(user=user)
        self.message_user(request, f"{counted(len(users), 'account')} deleted.", messages.SUCCESS)
