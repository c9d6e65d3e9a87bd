from django import template

from comments.forms import CommentForm
from comments.html import render_thread

register = template.Library()


@register.inclusion_tag("comments/includes/_section.html", takes_context=True)
def comments_section(context, conversation):
    """The conversation block: thread, then the form or the invitation to log in."""
    request = context.get("request")
    return {
        "conversation": conversation,
        "thread": render_thread(conversation, request) if conversation.roots else "",
        "form": CommentForm(),
        "user": context.get("user"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
