"""allauth adapter: usernames from the display name, a prayer clicked before
logging in recorded once the reader is in, and allauth's mail named for the outbox."""
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.urls import reverse

from library.mail.backends import KIND_HEADER
from library.web.ratelimit import client_ip
from partners.services import forget_pledges_in_session
from prayers.services import record_pending_prayer


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth's log-in limits count the same address as ours (see client_ip).
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed log-ins per site domain and address; its domain is
        # the request's Host, port and all, so each host name or port the server
        # answered to got five more guesses. One site: the address alone.
        return credentials.get("email", credentials.get("username", "")).lower()

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's mail, sent through Django into the outbox (library.mail.backends),
        names its kind for staff."""
        return super().render_mail(template_prefix, email, context,
                                   headers={**(headers or {}), KIND_HEADER: template_prefix})

    def populate_username(self, request, user):
        if not user.username:
            user.username = self.generate_unique_username([user.display_name, "member"])

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)

    def login(self, request, user):
        forget_pledges_in_session(request.session)
        # A member's very first log-in (after sign-up and confirming) is no return.
        request.first_login = user.last_login is None
        super().login(request, user)
        prayer = record_pending_prayer(request=request, user=user)
        if prayer is not None:
            request.pending_prayer_url = prayer.get_absolute_url()
            messages.success(request, "Thank you for praying. We recorded your prayer.")

    # Where no "next" survived (sign-up, then the mailed confirmation link),
    # take the reader back to the prayer they clicked.
    def get_login_redirect_url(self, request):
        return getattr(request, "pending_prayer_url", None) or super().get_login_redirect_url(
            request
        )

    def get_signup_redirect_url(self, request):
        return getattr(request, "pending_prayer_url", None) or super().get_signup_redirect_url(
            request
        )

    def add_message(self, request, level, message_template=None, message_context=None,
                    extra_tags="", message=None):
        if message_template == "account/messages/logged_in.txt" and getattr(
            request, "first_login", False
        ):
            message_template = "account/messages/welcome.txt"
        super().add_message(request, level, message_template, message_context, extra_tags,
                            message)

    def post_login(self, request, user, *, signup, redirect_url, **kwargs):
        # New members are asked once which state they call home, then go on
        # to where they were headed. A prayer they clicked comes first.
        if signup and not user.home_state_id and not getattr(request, "pending_prayer_url", None):
            onward = redirect_url or self.get_signup_redirect_url(request)
            redirect_url = f"{reverse('accounts:welcome')}?{urlencode({'next': onward})}"
        return super().post_login(
            request, user, signup=signup, redirect_url=redirect_url, **kwargs
        )
