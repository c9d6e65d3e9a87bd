"""allauth adapter: usernames come from the display name, never from the email."""
from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        if not user.username:
            user.username = self.generate_unique_username([user.display_name, "member"])

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)
