"""`{% part %}` and `{% shown_to %}`: what differs between readers of a shared page
(see intercessors.parts)."""
from django import template

from intercessors import parts

register = template.Library()


@register.simple_tag
def part(name, *args):
    """`{% part "pray" prayer.pk %}`: this reader's part, filled in per request."""
    return parts.marker(name, *args)


@register.tag
def shown_to(parser, token):
    """`{% shown_to "member" %}…{% end_shown_to %}`: shown only to readers of that
    kind (intercessors.parts.AUDIENCES); what it holds is the same for all of them."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("shown_to takes one audience, in quotes.")
    audience = bits[1].strip("\"'")
    if audience not in parts.AUDIENCES:
        raise template.TemplateSyntaxError(f"No audience is called {audience!r}.")
    nodelist = parser.parse(("end_shown_to",))
    parser.delete_first_token()
    return ShownToNode(audience, nodelist)


class ShownToNode(template.Node):
    def __init__(self, audience, nodelist):
        self.audience, self.nodelist = audience, nodelist

    def render(self, context):
        return parts.shown_to(self.audience, self.nodelist.render(context))
