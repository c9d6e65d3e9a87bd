"""The form readers write a letter in (the contact page, a state's coordinator) and
the limits on how many letters one network and one reader's address may send,
counted across every such form: each letter puts a copy in the address typed, so
no form may be used to fill a stranger's inbox. The letter itself goes through
library.mail.relay."""
from django import forms
from django.core.exceptions import ValidationError

from library.text.markup import clean_plain_lines, clean_plain_text
from library.web.ratelimit import allow, client_network

NAME_MAX, SUBJECT_MAX, MESSAGE_MAX = 100, 150, 5000

# Letters an hour from one network, and to one reader's address (each gets a copy).
LETTERS_PER_NETWORK = 5
LETTERS_PER_ADDRESS = 3


def _cleaned(value, clean, *, required: str, longest: int, too_long: str) -> str:
    # Lengths are checked on the cleaned text, with the reader's own count, so the
    # browser's maxlength never cuts a message off without a word.
    value = clean(value)
    if not value:
        raise ValidationError(required)
    if len(value) > longest:
        raise ValidationError(f"{too_long} {longest:,} characters; this one has {len(value):,}.")
    return value


class LetterForm(forms.Form):
    """A reader's name, address, subject and message, and a field only bots fill."""

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


def too_many_letters(request, email: str) -> str:
    """Count one letter from this network and to this address; what to tell the
    reader when either has sent its hour's letters, or "" when it may go. Only
    letters that would go count: a mistake corrected along the way does not."""
    if not allow("contact", client_network(request), limit=LETTERS_PER_NETWORK, period=3600):
        return ("We have received several messages from your connection in the last hour. "
                "Your message is still here: please send it again a little later.")
    if not allow("contact-address", email.lower(), limit=LETTERS_PER_ADDRESS, period=3600):
        return ("We have received several messages from this email address in the last hour. "
                "Your message is still here: please send it again a little later.")
    return ""
