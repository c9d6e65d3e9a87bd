"""The member's own parts of shared pages (intercessors.parts): their name in the
header and the link to their state's page."""
from django.urls import reverse
from django.utils.html import escape

from intercessors.parts import register


@register("name")
def name(request, prepared):
    return escape(request.user.public_name)


@register("mystate")
def my_state(request, prepared):
    user = request.user
    if user.is_authenticated and user.home_state_id:
        return user.home_state.get_absolute_url()  # loaded with the member (accounts.models)
    return reverse("states:index")
