"""The form on a state's page that writes to its coordinator: the contact page's
letter without a subject, which the page gives."""
from django import forms

from library.web.letters import LetterForm


class CoordinatorLetterForm(LetterForm):
    subject = None
    email = forms.EmailField(
        label="Your email address",
        help_text="The coordinator answers here. Nobody else sees it.",
        error_messages=LetterForm.base_fields["email"].error_messages,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label="Your message", max_length=20000,
        error_messages=LetterForm.base_fields["message"].error_messages,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        # Apart from the page's other forms (a comment's), whose fields may share names.
        kwargs.setdefault("auto_id", "write-%s")
        super().__init__(*args, **kwargs)
