"""The partner sign-up form: amounts as US donors write them, real names only."""
import re
import secrets
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from library.text.markup import clean_plain_text
from states.models import State

from .models import PartnerPledge

PRESET_AMOUNTS = ["25", "50", "100", "250"]
MIN_AMOUNT, MAX_AMOUNT = Decimal("5"), Decimal("100000")
# Dollars as US donors write them: 35, 35.5, 35.50, $35, 1,000, $1,000.00. Commas
# only between groups of three digits, ASCII digits only, at most two for cents.
US_AMOUNT = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?")
AMOUNT_HELP = "Please enter the amount in dollars, like 35, 42.50 or 1,000."
PHONE = re.compile(r"^\+?[0-9 ().-]{7,25}$")
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


NAME_PUNCTUATION = frozenset(" -'’.")


class PersonNameField(forms.CharField):
    """A first or last name: letters of any script, spaces, hyphens, apostrophes and
    periods, up to 50 characters. The ministry's mail greets partners by name, so a
    name must not be able to carry a sentence or an address to whoever is typed in."""

    def __init__(self, words, *, autocomplete, **kwargs):
        self.words = words
        super().__init__(
            label=words.capitalize(),
            max_length=200,  # trimmed and checked to 50 in clean(), with a clear message
            error_messages={"required": f"Please enter your {words}.",
                            "max_length": f"Please keep your {words} to 50 characters."},
            widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
            **kwargs,
        )

    def clean(self, value):
        name = clean_plain_text(super().clean(value))
        if not name:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(name) > 50:
            raise ValidationError(self.error_messages["max_length"], code="max_length")
        if not any(c.isalpha() for c in name) or not all(
            c.isalpha() or c in NAME_PUNCTUATION or unicodedata.category(c).startswith("M")
            for c in name
        ):
            raise ValidationError(
                f"Please write your {self.words} with letters, spaces, hyphens, "
                "apostrophes and periods only."
            )
        return name


class PartnerForm(forms.Form):
    amount_choice = forms.ChoiceField(
        label="Amount",
        choices=[(a, f"${a}") for a in PRESET_AMOUNTS] + [("other", "Another amount")],
        widget=forms.RadioSelect,
        required=False,
        initial="50",
    )
    other_amount = forms.CharField(
        label="Another amount (US dollars)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Between $5 and $100,000, e.g. 35 or 42.50.",
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=PartnerPledge.Frequency.choices,
        initial=PartnerPledge.Frequency.MONTHLY,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose monthly or one time."},
    )
    first_name = PersonNameField("first name", autocomplete="given-name")
    last_name = PersonNameField("last name", autocomplete="family-name")
    email = forms.EmailField(
        label="Email",
        error_messages={"required": "Please enter your email address.",
                        "invalid": "Please enter a valid email address, like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    state = forms.ModelChoiceField(
        queryset=State.objects.all(), required=False, empty_label="— Choose your state —"
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    wants_emails = forms.BooleanField(
        label="Send me prayer updates and news from the ministry by email", required=False
    )
    # Made when the form is shown (`new_form_token`) and sent back with it: a second
    # press of Give finds the pledge the first made even when the browser lost the
    # first answer, and its session cookie with it.
    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # Left empty by people; bots fill every field. Hidden from view and from
    # screen readers, and skipped by keyboard.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_form_token(self):
        # One that is not ours (edited, or from an old page) is simply not used.
        token = self.cleaned_data["form_token"]
        return token if FORM_TOKEN.fullmatch(token) else ""

    def clean_phone(self):
        phone = clean_plain_text(self.cleaned_data["phone"])
        if phone and not PHONE.match(phone):
            raise ValidationError("Please enter a phone number using digits, like (555) 010-2030.")
        return phone

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(
                "This form could not be sent because a hidden field was filled in. "
                "Please clear it and try again."
            )
        return ""

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("amount_choice")
        other = (cleaned.get("other_amount") or "").strip()
        if choice in PRESET_AMOUNTS and not other:
            cleaned["amount"] = Decimal(choice)
        elif choice in PRESET_AMOUNTS:
            # Both a preset and a typed amount: ask, rather than pick one silently.
            self.add_error(
                "other_amount",
                f"You chose ${choice} and also typed {other}. To give {other}, choose "
                f"“Another amount”; to give ${choice}, clear this box.",
            )
        elif other:
            cleaned["amount"] = self._parse_amount(other)
        else:
            self.add_error("amount_choice", "Please choose an amount or enter another amount.")
        return cleaned

    def _parse_amount(self, text):
        match = US_AMOUNT.fullmatch(text)
        if match is None:
            self.add_error("other_amount", AMOUNT_HELP)
            return None
        amount = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
        if amount <= 0:
            self.add_error("other_amount", "Please enter an amount above zero.")
            return None
        if amount < MIN_AMOUNT:
            self.add_error("other_amount", "The smallest gift we can set up is $5.")
            return None
        if amount > MAX_AMOUNT:
            self.add_error(
                "other_amount",
                "For gifts over $100,000, please contact us so we can help in person.",
            )
            return None
        return amount.quantize(Decimal("0.01"))
