"""The member's own parts of shared pages: their name, and their state page's link."""
from django.urls import reverse
from django.utils.html import escape

from library.pages.parts import register


@register("name")
def name(request, prepared):
    return escape(request.user.public_name)


@register("mystate")
def my_state(request, prepared):
    user = request.user
    if user.is_authenticated and user.home_state_id:
        return user.home_state.get_absolute_url()  # loaded with the member (accounts.models)
    return reverse("states:index")
