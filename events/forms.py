from datetime import datetime

from django import forms


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
        return moment
