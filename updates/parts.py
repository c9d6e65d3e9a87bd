"""The box "Get prayer updates by email" on shared pages: a part, left out for a
browser that came from a subscriber's mail (prayers.inbox)."""
from django.template.loader import get_template

from library.pages.parts import register
from prayers import inbox


def _from_the_inbox(request, calls) -> bool:
    return inbox.read(request).subscriber


@register("updates-signup", prepare=_from_the_inbox)
def sign_up(request, subscriber: bool, where):
    if subscriber:
        return ""
    return get_template("updates/includes/_short_form.html").render({"where": where})
