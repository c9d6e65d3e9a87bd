"""The member's own parts of shared pages: their name, and their state page's link;
and who has a home state, for `{% shown_to %}` blocks."""
from django.urls import reverse
from django.utils.html import escape

from library.pages.parts import audience, register


@register("name")
def name(request, prepared):
    return escape(request.user.public_name)


@register("mystate")
def my_state(request, prepared):
    user = request.user
    if user.is_authenticated and user.home_state_id:
        return user.home_state.get_absolute_url()  # loaded with the member (accounts.models)
    return reverse("states:index")


audience("member-with-state", lambda user: user.is_authenticated and bool(user.home_state_id))
audience("member-without-state", lambda user: user.is_authenticated and not user.home_state_id)
