from django import forms

from .followup import clean_update_text
from .models import REQUEST_MAX_LENGTH, UPDATE_MAX_LENGTH, URGENT_HOURS, Category, Prayer
from .services import clean_request_text

# States are a model of the app above; the field's own relation names it.
State = Prayer._meta.get_field("state").related_model


# The rule of library.text.moderation.hold_for_links, as members are told it.
LINK_RULE = "Requests with links to other sites are read by our team first"


class RequestForm(forms.Form):
    text = forms.CharField(
        label="How can we pray?",
        strip=False,
        # The limit is checked with a clear message; the browser gets a little slack
        # so that message, not a silent cut, is what people see.
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": REQUEST_MAX_LENGTH + 500}),
        help_text=f"Up to {REQUEST_MAX_LENGTH:,} characters. You can use **bold**, _italic_ "
        f"and - lists. {LINK_RULE}. Please share nothing you would not want a neighbour "
        "to read.",
    )
    state = forms.ModelChoiceField(
        label="Who is it for?",
        help_text="Your state is chosen for you; choose another, or the whole nation.",
        queryset=State.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        empty_label="The nation",
        error_messages={"invalid_choice": "Please choose a state from the list, or the nation."},
    )
    category = forms.ChoiceField(
        label="What is it about?",
        help_text="Optional. It helps others find your request on the wall.",
        choices=[("", "Choose one (optional)"), *Category.choices],
        required=False,
        error_messages={"invalid_choice": "Please choose one of the listed topics, or none."},
    )
    anonymous = forms.BooleanField(
        label="Don't show my name",
        help_text="Others will see “A member in” the state you chose (or “A member” for "
        "the nation). Our staff can still see who asked.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial.get("state"):  # nothing was chosen, so say nothing was
            self.fields["state"].help_text = "Choose a state, or the whole nation."

    def clean_text(self):
        return clean_request_text(self.cleaned_data["text"])


class NewRequestForm(RequestForm):
    """Asking: the request, and how it is to be shared."""

    notes_public = forms.BooleanField(
        label="Show notes to everyone",
        help_text="Those who pray can leave you a short note. Only you see them, unless you "
        "choose this. You can change it later.",
        required=False,
    )
    urgent = forms.BooleanField(
        label="This is urgent",
        help_text="Our team reads it, and if they agree, your request stays at the top of "
        f"the wall for {URGENT_HOURS} hours and is emailed to those who asked for urgent "
        "requests.",
        required=False,
    )



class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Your update",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": UPDATE_MAX_LENGTH + 250}),
        help_text=f"Up to {UPDATE_MAX_LENGTH:,} characters: how things stand, or how God "
        "answered.",
    )
    answered = forms.BooleanField(
        label="This prayer was answered",
        required=False,
        help_text="Your update becomes its praise note, the request moves to the answered "
        "prayers, and everyone who prayed for it is told.",
    )

    def clean_text(self):
        return clean_update_text(self.cleaned_data["text"])
