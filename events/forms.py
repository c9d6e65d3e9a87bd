from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

# No event's page offers a date further ahead than this.
FURTHEST_AHEAD = timedelta(days=5 * 366)


class RemindForm(forms.Form):
    """Which dates to be reminded of, and for a reader who is not logged in, where."""

    occurrence = forms.CharField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(required=False, max_length=254, label="Your email address",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, needs_email: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = needs_email
        self.fields["email"].error_messages["required"] = (
            "Enter your email address, and we will send the reminders there.")

    def clean_occurrence(self):
        value = self.cleaned_data["occurrence"].strip()
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError("Choose one of the dates shown.") from None
        if moment.tzinfo is None:
            raise forms.ValidationError("Choose one of the dates shown.")
        # Compared before any change of zone, which a date near the ends of the
        # calendar (year 1 or 9999) would overflow.
        if moment > timezone.now() + FURTHEST_AHEAD:
            raise forms.ValidationError("That date is more than five years away. Choose "
                                        "one of the dates shown.")
        return moment
