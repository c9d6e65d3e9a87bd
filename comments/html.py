"""A conversation as a page shows it: its thread rendered from one template, in a
flat loop over the comments in thread order (a recursive include took a second
for a thousand comments), shared by every reader but for each one's actions."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from intercessors import pagecache, parts
from intercessors.caches import page_store
from intercessors.rules import DELETED_MEMBER_NAME

from .models import Comment, CommentReport
from .selectors import comment_tree
from .services import can_edit
from .targets import content_type_for


@dataclass(frozen=True)
class Stub:
    """What a comment's actions depend on, written in its actions' marker."""
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
    """The conversation, with each comment's actions (Reply, Edit, Delete, Report)
    left as a part that is filled in for each reader (intercessors.parts).

    The thread is the same for every reader but for those actions, so it is
    rendered once per version of the site and of its page (`target.page_scope`,
    see intercessors.pagecache) and shared. A member with a comment awaiting
    moderation here sees a thread no one else does: theirs is rendered afresh,
    and the page holding the shared one is not theirs (`pagecache.private_for`)."""
    user = request.user
    if not settings.PAGE_CACHE:
        return _fresh(target, user)
    # One entry per conversation, holding the versions it was rendered at:
    # retired renders are overwritten rather than left to expire.
    key = f"thread:{content_type_for(target).pk}:{target.pk}"
    current = pagecache.versions((pagecache.SITE, target.page_scope), request)
    shared = page_store().get(key)
    if shared is None or shared.get("versions") != current:
        everyone = comment_tree(target=target, viewer=AnonymousUser())
        shared = {
            "versions": current,
            "label": everyone.label,
            "count": everyone.count,
            "pending_authors": everyone.pending_authors,
            "html": _render(everyone),
        }
        page_store().set(key, shared, pagecache.TIMEOUT)
    pagecache.private_for(request, shared["pending_authors"])
    if user.is_authenticated and user.pk in shared["pending_authors"]:
        return _fresh(target, user)
    return Thread(target=target, label=shared["label"], count=shared["count"],
                  html=shared["html"])


def _fresh(target, viewer) -> Thread:
    conversation = comment_tree(target=target, viewer=viewer)
    return Thread(target=target, label=conversation.label, count=conversation.count,
                  html=_render(conversation))


def _marker(c):
    """Where a reader's actions for comment `c` go, with what they depend on."""
    return parts.marker("actions", c.pk, c.author_id or 0, c.status, int(c.is_deleted),
                        (c.created_at - EPOCH) // MICROSECOND)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


def _stub(pk, author_id, status, deleted, created) -> Stub:
    return Stub(int(pk), int(author_id) or None, status, deleted == "1",
                EPOCH + int(created) * MICROSECOND)


def _reported(request, calls) -> set[int]:
    """The comments on this page the member has reported, in one query."""
    user = request.user
    if not user.is_authenticated:
        return set()
    ids = [int(args[0]) for args in calls
           if args[2] == Comment.Status.PUBLISHED and args[1] != str(user.pk)]
    if not ids:
        return set()
    return set(CommentReport.objects.filter(
        reporter_id=user.pk, resolved_at__isnull=True, comment_id__in=ids,
    ).values_list("comment_id", flat=True))


@parts.register("actions", prepare=_reported)
def _actions(request, reported, *args):
    """The actions under a comment for this reader: the one piece of the thread
    that differs between readers. Each kind of link is built by format_html, with
    "{pk}" where the id goes; a comment's own id, a number, is all that is put in."""
    c = _stub(*args)
    user = request.user
    member = user.is_authenticated
    links = _links()
    shown = []
    if c.status == Comment.Status.PUBLISHED:
        shown.append(links["reply"])
    if member and c.author_id == user.pk:
        if can_edit(c, user):
            shown.append(links["edit"])
        shown.append(links["delete"])
    elif member and c.status == Comment.Status.PUBLISHED:
        shown.append(links["reported"] if c.pk in reported else links["report"])
    # Safe: the parts come from format_html; the id is an integer.
    return mark_safe("".join(shown).replace("{pk}", str(c.pk)))  # nosec B308 B703


@cache
def _links() -> dict[str, str]:
    """Each kind of action, built once, with "{pk}" where a comment's id goes."""
    url = {name: reverse(f"comments:{name}", args=[0]).replace("/0/", "/{pk}/")
           for name in ("reply", "edit", "delete", "report")}
    return {
        "reply": format_html('<a href="{}" data-reply>Reply</a>', url["reply"]),
        "edit": format_html('<a href="{}">Edit</a>', url["edit"]),
        "delete": format_html('<a href="{}">Delete</a>', url["delete"]),
        "reported": format_html('<span class="muted">{}</span>', "Reported"),
        "report": format_html('<a href="{}">Report</a>', url["report"]),
    }


THREAD = get_template("comments/includes/_thread.html")


def _render(conversation) -> str:
    """The thread as HTML, from the template, a row per comment in thread order."""
    return THREAD.render({"rows": list(_rows(conversation.roots))})


def _rows(nodes, closing=0):
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
            "actions": _marker(c) if node.visible else "",
            "has_replies": bool(node.children),
            "closes": range(closing if last else 0) if not node.children else range(0),
        }
        if node.children:
            yield from _rows(node.children, closing + 1 if last else 1)
