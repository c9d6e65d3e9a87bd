"""The contact page's form: a reader's name, address, subject and message."""
from django import forms
from django.core.exceptions import ValidationError

from library.text.markup import clean_plain_lines, clean_plain_text

NAME_MAX, SUBJECT_MAX, MESSAGE_MAX = 100, 150, 5000


def _cleaned(value, clean, *, required: str, longest: int, too_long: str) -> str:
    # Lengths are checked on the cleaned text, with the reader's own count, so the
    # browser's maxlength never cuts a message off without a word.
    value = clean(value)
    if not value:
        raise ValidationError(required)
    if len(value) > longest:
        raise ValidationError(f"{too_long} {longest:,} characters; this one has {len(value):,}.")
    return value


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=1000,
        error_messages={"required": "Please enter your name.",
                        "max_length": f"Please keep your name to {NAME_MAX:,} characters."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="We answer here. Nobody else sees it.",
        error_messages={"required": "Please enter your email address.",
                        "invalid": "Please enter a valid email address, like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(
        label="Subject", max_length=1000,
        error_messages={"required": "Please write a subject.",
                        "max_length": f"Please keep the subject to {SUBJECT_MAX:,} characters."},
    )
    message = forms.CharField(
        label="Your message", max_length=20000,
        error_messages={"required": "Please write your message.",
                        "max_length": f"Please keep your message to {MESSAGE_MAX:,} characters."},
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    # Left empty by people; bots fill every field. Hidden from view and from
    # screen readers, and skipped by keyboard.
    website = forms.CharField(
        required=False, label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_name(self):
        return _cleaned(self.cleaned_data["name"], clean_plain_text,
                        required="Please enter your name.", longest=NAME_MAX,
                        too_long="Please keep your name to")

    def clean_subject(self):
        return _cleaned(self.cleaned_data["subject"], clean_plain_text,
                        required="Please write a subject.", longest=SUBJECT_MAX,
                        too_long="Please keep the subject to")

    def clean_message(self):
        return _cleaned(self.cleaned_data["message"], clean_plain_lines,
                        required="Please write your message.", longest=MESSAGE_MAX,
                        too_long="Please keep your message to")

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(
                "This form could not be sent because a hidden field was filled in. "
                "Please clear it and try again."
            )
        return ""
