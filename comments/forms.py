from django import forms

from .models import MAX_LENGTH
from .services import clean_body

# The rule of library.text.moderation.hold_for_links, as members are told it.
LINK_RULE = "Comments with links to other sites are checked by our team first"
MARKDOWN_HINT = (
    "You can use Markdown: **bold**, _italic_, [a link](https://…), > a quote, - a list. "
    f"Up to {MAX_LENGTH:,} characters. {LINK_RULE}."
)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        strip=False,
        # The limit is checked in clean_body with a clear message; the browser
        # gets a little slack so that message, not a silent cut, is what people see.
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_LENGTH + 1000}),
        help_text=MARKDOWN_HINT,
    )

    def clean_body(self):
        return clean_body(self.cleaned_data["body"])
