"""Writes on member accounts that carry rules: deleting an account."""
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .models import User


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Wipe everything personal but keep the row, so what the member wrote
    stays in place under "Deleted member" and prayer counts stay true."""
    EmailAddress.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ""
    user.home_state = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.deleted_at = timezone.now()
    user.save()
