"""The thread as HTML, built in Python: a page with a thousand comments renders in
milliseconds, where a recursive template include took a second."""
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape

from intercessors import pagecache
from intercessors.caches import page_store

from .models import Comment
from .selectors import Conversation, comment_tree, reported_ids
from .services import can_edit
from .targets import content_type_for


def long_date(moment) -> str:
    """ "June 6, 2022" in the site's time zone."""
    local = timezone.localtime(moment)
    return f"{MONTHS[local.month]} {local.day}, {local.year}"


ACTIONS = re.compile(r"<!--actions:(\d+)-->")


@dataclass(frozen=True)
class Stub:
    """What a comment's actions depend on, kept beside the cached thread."""
    pk: int
    author_id: int | None
    status: str
    is_deleted: bool
    created_at: datetime


def load_conversation(*, target, request) -> Conversation:
    """The conversation with its thread rendered for this reader.

    The thread is the same for every reader but for each comment's actions
    (Reply, Edit, Delete, Report), so it is rendered once per site version
    (see intercessors.pagecache) with a marker where the actions go, and each
    request fills in its own. A member with a comment awaiting moderation here
    sees a thread no one else does, so theirs is rendered afresh."""
    user = request.user
    if not settings.PAGE_CACHE:
        return _fresh(target, request)
    # One entry per conversation, holding the version it was rendered at:
    # retired renders are overwritten rather than left to expire.
    key = f"thread:{content_type_for(target).pk}:{target.pk}"
    current = pagecache.version(request)
    shared = page_store().get(key)
    if shared is None or shared["version"] != current:
        everyone = comment_tree(target=target, viewer=AnonymousUser())
        shared = {
            "version": current,
            "label": everyone.label,
            "count": everyone.count,
            "pending_authors": everyone.pending_authors,
            "html": _render(everyone, lambda c: f"<!--actions:{c.pk}-->"),
            "stubs": {
                n.comment.pk: Stub(n.comment.pk, n.comment.author_id, n.comment.status,
                                   n.comment.is_deleted, n.comment.created_at)
                for n in _walk(everyone.roots)
            },
        }
        page_store().set(key, shared, pagecache.TIMEOUT)
    if user.is_authenticated and user.pk in shared["pending_authors"]:
        return _fresh(target, request)
    stubs = shared["stubs"]
    reported = reported_ids(user.pk, target) if user.is_authenticated and stubs else set()
    actions = _actions(request, reported)
    return Conversation(
        target=target, label=shared["label"], roots=[], count=shared["count"],
        pending_authors=shared["pending_authors"],
        html=ACTIONS.sub(lambda m: actions(stubs[int(m[1])]), shared["html"]),
    )


def _fresh(target, request) -> Conversation:
    conversation = comment_tree(target=target, viewer=request.user)
    reported = {n.comment.pk for n in _walk(conversation.roots) if n.reported}
    conversation.html = _render(conversation, _actions(request, reported))
    return conversation


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _actions(request, reported):
    """The actions under a comment for this reader, as a function of the comment."""
    user = request.user
    member = user.is_authenticated
    # Reverse each URL once; ids are filled in per comment.
    urls = {
        name: reverse(f"comments:{name}", args=[0]).replace("/0/", "/{}/")
        for name in ("reply", "edit", "delete", "report")
    }
    token = escape(get_token(request)) if member else ""

    def actions(c):
        parts = []
        if c.status == Comment.Status.PUBLISHED:
            parts.append(f'<a href="{urls["reply"].format(c.pk)}" data-reply>Reply</a>')
        if member and c.author_id == user.pk:
            if can_edit(c, user):
                parts.append(f'<a href="{urls["edit"].format(c.pk)}">Edit</a>')
            parts.append(f'<a href="{urls["delete"].format(c.pk)}">Delete</a>')
        elif member and c.status == Comment.Status.PUBLISHED:
            if c.pk in reported:
                parts.append('<span class="muted">Reported</span>')
            else:
                parts.append(
                    f'<form method="post" action="{urls["report"].format(c.pk)}" '
                    f'class="inline-form"><input type="hidden" name="csrfmiddlewaretoken" '
                    f'value="{token}"><button type="submit" class="link-button">Report</button>'
                    "</form>"
                )
        return "".join(parts)

    return actions


def _render(conversation, actions) -> str:
    out = []

    def walk(nodes):
        for node in nodes:
            c = node.comment
            out.append(f'<li class="comment depth-{c.depth}" id="comment-{c.pk}">')
            if node.visible:
                author = escape(c.author.public_name) if c.author else "Deleted member"
                # Set by the site, never by what a member types: no name may hold
                # staff words (accounts.names) and Markdown cannot make this element.
                if c.author and c.author.is_staff and not c.author.deleted_at:
                    author += ' <span class="staff-mark" title="Ministry staff">Staff</span>'
                pending = c.status == Comment.Status.PENDING
                out.append(
                    f'<article class="comment-body{" is-pending" if pending else ""}">'
                    f'<header class="comment-meta"><span class="comment-author">{author}</span> '
                    f'<a class="comment-date" href="#comment-{c.pk}">{long_date(c.created_at)}</a>'
                    + (' <span class="comment-edited">edited</span>' if c.edited_at else "")
                    + (' <span class="badge badge-warning">awaiting moderation</span>'
                       if pending else "")
                    + f'</header><div class="comment-text">{c.body_html}</div>'
                    f'<footer class="comment-actions">{actions(c)}</footer></article>'
                )
            else:
                waiting = c.status == Comment.Status.PENDING and not c.is_deleted
                out.append(
                    '<p class="comment-removed">'
                    + ("This comment is awaiting review." if waiting
                       else "This comment was removed.")
                    + "</p>"
                )
            if node.children:
                out.append('<ol class="comment-list replies">')
                walk(node.children)
                out.append("</ol>")
            out.append("</li>")

    walk(conversation.roots)
    return "".join(out)
