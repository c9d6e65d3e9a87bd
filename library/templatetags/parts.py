"""`{% part %}` and `{% shown_to %}`: what differs between readers of a shared page."""
from django import template

from library.pages import parts

register = template.Library()


@register.simple_tag
def part(name, *args):
    """`{% part "pray" prayer.pk %}`: this reader's part, filled in per request."""
    return parts.marker(name, *args)


@register.simple_block_tag(end_name="end_shown_to")
def shown_to(content, audience):
    """`{% shown_to "member" %}…{% end_shown_to %}`: shown only to readers of that
    kind (library.pages.parts.AUDIENCES); what it holds is the same for all of them."""
    if audience not in parts.AUDIENCES:
        raise template.TemplateSyntaxError(f"No audience is called {audience!r}.")
    return parts.shown_to(audience, content)
