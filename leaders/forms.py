from django import forms

from .models import PRAYER_MAX_LENGTH
from .services import clean_prayer_text


class LeaderPrayerForm(forms.Form):
    text = forms.CharField(
        label="Write a prayer",
        strip=False,
        # The limit is checked with a clear message; the browser gets a little slack
        # so that message, not a silent cut, is what people see.
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": PRAYER_MAX_LENGTH + 250}),
        help_text=f"Up to {PRAYER_MAX_LENGTH} characters. Pray for them, not about "
        "anyone else. Our team reads each prayer before it appears, with your first name "
        "and the initial of your last.",
    )

    def clean_text(self):
        return clean_prayer_text(self.cleaned_data["text"])
