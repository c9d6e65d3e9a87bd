"""A conversation as a page shows it: its thread rendered from one template, in a
flat loop over the comments in thread order (a recursive include took a second
for a thousand comments), shared by every reader but for each one's actions."""
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from intercessors import pagecache
from intercessors.caches import page_store
from intercessors.rules import DELETED_MEMBER_NAME

from .models import Comment
from .selectors import comment_tree, reported_ids
from .services import can_edit
from .targets import content_type_for

ACTIONS = re.compile(r"<!--actions:(\d+)-->")


@dataclass(frozen=True)
class Stub:
    """What a comment's actions depend on, kept beside the cached thread."""
    pk: int
    author_id: int | None
    status: str
    is_deleted: bool
    created_at: datetime


@dataclass(frozen=True)
class Thread:
    """What a page needs of a conversation, whichever way it was rendered."""
    target: object
    label: str
    count: int
    html: str


def load_conversation(*, target, request) -> Thread:
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
            "html": _render(everyone, _marker),
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
    return Thread(
        target=target, label=shared["label"], count=shared["count"],
        html=ACTIONS.sub(lambda m: actions(stubs[int(m[1])]), shared["html"]),
    )


def _marker(comment):
    # Where this reader's actions go; a comment's body cannot hold one (Markdown
    # escapes "<" and the sanitiser strips comments).
    return mark_safe(f"<!--actions:{comment.pk}-->")  # nosec B308 B703


def _fresh(target, request) -> Thread:
    conversation = comment_tree(target=target, viewer=request.user)
    reported = {n.comment.pk for n in _walk(conversation.roots) if n.reported}
    return Thread(
        target=target, label=conversation.label, count=conversation.count,
        html=_render(conversation, _actions(request, reported)),
    )


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _actions(request, reported):
    """The actions under a comment for this reader, as a function of the comment:
    the one piece of the thread that differs between readers, built per request.
    Each kind of link is built once, by format_html, with "{pk}" where the id goes;
    a comment's own id, a number, is all that is put in per comment."""
    user = request.user
    member = user.is_authenticated
    url = {name: reverse(f"comments:{name}", args=[0]).replace("/0/", "/{pk}/")
           for name in ("reply", "edit", "delete", "report")}
    reply = format_html('<a href="{}" data-reply>Reply</a>', url["reply"])
    edit = format_html('<a href="{}">Edit</a>', url["edit"])
    delete = format_html('<a href="{}">Delete</a>', url["delete"])
    reported_mark = format_html('<span class="muted">{}</span>', "Reported")
    report = format_html('<a href="{}">Report</a>', url["report"])

    def actions(c):
        parts = []
        if c.status == Comment.Status.PUBLISHED:
            parts.append(reply)
        if member and c.author_id == user.pk:
            if can_edit(c, user):
                parts.append(edit)
            parts.append(delete)
        elif member and c.status == Comment.Status.PUBLISHED:
            parts.append(reported_mark if c.pk in reported else report)
        # Safe: the parts come from format_html above; the id is an integer.
        return mark_safe("".join(parts).replace("{pk}", str(int(c.pk))))  # nosec B308 B703

    return actions


THREAD = get_template("comments/includes/_thread.html")


def _render(conversation, actions) -> str:
    """The thread as HTML, from the template, a row per comment in thread order."""
    return THREAD.render({"rows": list(_rows(conversation.roots, actions))})


def _rows(nodes, actions, closing=0):
    """Rows in thread order. The last of a list of replies closes that list, and the
    lists that end with it: `closing` counts those still open above."""
    for n, node in enumerate(nodes):
        c = node.comment
        last = n == len(nodes) - 1
        yield {
            "comment": c,
            "visible": node.visible,
            "pending": c.status == Comment.Status.PENDING,
            "waiting": c.status == Comment.Status.PENDING and not c.is_deleted,
            "author": c.author.public_name if c.author else DELETED_MEMBER_NAME,
            # Set by the site, never by what a member types: no name may hold staff
            # words (accounts.names) and Markdown cannot make this element.
            "staff": bool(c.author and c.author.is_staff and not c.author.deleted_at),
            "actions": actions(c) if node.visible else "",
            "has_replies": bool(node.children),
            "closes": range(closing if last else 0) if not node.children else range(0),
        }
        if node.children:
            yield from _rows(node.children, actions, closing + 1 if last else 1)
