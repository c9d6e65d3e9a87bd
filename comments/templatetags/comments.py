from django import template

from comments.forms import CommentForm
from comments.services import can_edit

register = template.Library()


@register.filter
def editable_by(comment, user) -> bool:
    return can_edit(comment, user)


@register.inclusion_tag("comments/includes/_section.html", takes_context=True)
def comments_section(context, conversation):
    """The conversation block: thread, then the form or the invitation to log in."""
    return {
        "conversation": conversation,
        "form": CommentForm(),
        "user": context.get("user"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
