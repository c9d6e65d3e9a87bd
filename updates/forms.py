from django import forms

from .models import Subscriber

# States are a model of a lower app; the field's own relation names it.
State = Subscriber._meta.get_field("state").related_model


class MemberChoicesForm(forms.Form):
    """A member's updates, on their profile (news of answered prayers is the
    profile's own setting there). Choosing nothing is getting nothing."""

    daily = forms.BooleanField(label="The daily email: today's prayer posts, each with its "
                               "prayer and an “I Prayed” button", required=False)
    weekly = forms.BooleanField(label="The weekly digest: the week's posts, the most prayed "
                                "prayers and answered prayers", required=False)
    state = forms.ModelChoiceField(
        label="Alerts for a state", queryset=State.objects.only("name", "slug"),
        to_field_name="slug", required=False, empty_label="No state alerts",
        error_messages={"invalid_choice": "Please choose a state from the list."})
    urgent = forms.BooleanField(
        label="Urgent prayer requests: at most one email a day, when our team marks a "
        "request urgent (for the nation, or for the state you chose above)", required=False)


class ChoicesForm(MemberChoicesForm):
    """What an address gets. At least one choice: choosing nothing is leaving, which
    has its own button."""

    answered = forms.BooleanField(label="News when a prayer I prayed for is answered",
                                  required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in
                                       ("daily", "weekly", "state", "answered", "urgent")):
            raise forms.ValidationError("Please choose at least one kind of update.")
        return data


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(
        label="Your email address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Please enter an email address like name@example.org."})

    field_order = ["email", "daily", "weekly", "state", "urgent", "answered"]
