from django import template
from django.utils.safestring import mark_safe

from comments.forms import CommentForm

register = template.Library()


@register.inclusion_tag("comments/includes/_section.html", takes_context=True)
def comments_section(context, conversation):
    """The conversation block: thread, then the form or the invitation to log in."""
    return {
        "conversation": conversation,
        # comments.conversations escapes every value it writes or takes stored, sanitised HTML.
        "thread": mark_safe(conversation.html),  # nosec B308 B703
        "form": CommentForm(),
        "user": context.get("user"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
