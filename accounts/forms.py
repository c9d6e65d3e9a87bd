"""Member forms: the extra sign-up field, the profile, and account deletion.

allauth imports this module while building its own forms, so nothing from
allauth.account.forms may be imported here.
"""
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from library.text.markup import clean_plain_text
from states.models import State

from .models import User
from .names import check_display_name


def clean_display_name(value: str) -> str:
    name = clean_plain_text(value)
    if len(name) < 2:
        raise ValidationError("Please enter a display name of at least 2 characters.")
    if len(name) > 60:
        raise ValidationError("Please keep your display name to 60 characters or fewer.")
    # NFKC folds look-alikes such as the full-width "＠" into "@".
    if "@" in unicodedata.normalize("NFKC", name):
        raise ValidationError(
            "A display name cannot contain “@”, so that no email address is ever shown."
        )
    return name


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)  # trimmed and checked to 60 in clean()
        kwargs.setdefault("label", "Display name")
        kwargs.setdefault("help_text", "Shown beside your comments. Your email is never shown.")
        super().__init__(**kwargs)

    def clean(self, value):
        return clean_display_name(super().clean(value))


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds; the adapter stores them on the new user."""

    display_name = DisplayNameField(widget=forms.TextInput(attrs={"autocomplete": "nickname"}))

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        check_display_name(name)
        return name

    def signup(self, request, user):
        # allauth requires this hook; AccountAdapter.save_user has already
        # stored the display name before the user row was first written.
        return user


class ProfileForm(forms.ModelForm):
    display_name = DisplayNameField(widget=forms.TextInput(attrs={"autocomplete": "nickname"}))
    home_state = forms.ModelChoiceField(
        queryset=State.objects.all(),
        required=False,
        empty_label="— Choose your state —",
        help_text="Your state page is where you pray for your state with neighbours.",
    )

    class Meta:
        model = User
        fields = ["display_name", "home_state", "notify_replies", "notify_answered"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        # Names from before the rules stay as they are until their owner changes them.
        if name != User.objects.get(pk=self.instance.pk).display_name:
            check_display_name(name, user=self.instance)
        return name


class HomeStateForm(forms.ModelForm):
    home_state = forms.ModelChoiceField(
        queryset=State.objects.all(), empty_label="— Choose your state —", label="Your state"
    )

    class Meta:
        model = User
        fields = ["home_state"]


class DeleteAccountForm(forms.Form):
    forget_pledges = forms.BooleanField(
        required=False,
        label="Also remove my name, email and phone from my partner pledges",
        help_text="Pledges are otherwise kept for the ministry's records.",
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Enter your password to confirm that you want to delete your account.",
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not correct. Your account was not deleted.")
        return password
