"""A conversation as a page shows it: its thread rendered from one template, in a
flat loop over the comments in thread order (a recursive include took a second
for a thousand comments), shared by every reader but for each one's actions."""
import re
from dataclasses import dataclass
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

from .models import Comment
from .selectors import comment_tree, mine_in_range
from .services import can_edit
from .targets import content_type_for


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


def _actions(c) -> str:
    """A comment's actions as members share them: Reply and Report under a published
    comment. Each reader's are rewritten from these (`_own_actions`)."""
    if c.status != Comment.Status.PUBLISHED:
        return ""
    links = _links()
    # Safe: the links come from format_html; the id is an integer.
    return mark_safe((links["reply"] + links["report"]).replace("{pk}", str(int(c.pk))))  # nosec B308 B703


@parts.register("thread", rewrite=True)
def _own_actions(request, html, low, high):
    """The thread's actions for this reader. Readers who are not logged in have
    nothing to report; a member has Edit and Delete under their own comments and
    "Reported" under those they have reported. One query for the thread's range of
    comment ids, so a thread of any length costs the same."""
    user = request.user
    links = _links()
    if not user.is_authenticated:
        return _report_links().sub("", html)
    own, reported = mine_in_range(user.pk, int(low), int(high))
    for pk in reported:
        report = links["report"].replace("{pk}", str(pk))
        html = html.replace(report, links["reported"], 1)
    for c in own:
        shown = [links["reply"]] if c.status == Comment.Status.PUBLISHED else []
        if can_edit(c, user):
            shown.append(links["edit"])
        shown.append(links["delete"])
        html = _with_footer(html, c.pk, "".join(shown).replace("{pk}", str(int(c.pk))))
    return html


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


@cache
def _report_links() -> re.Pattern:
    """Every comment's Report link."""
    return re.compile(re.escape(_links()["report"]).replace(re.escape("{pk}"), r"\d+"))


FOOTER_OPEN, FOOTER_CLOSE = '<footer class="comment-actions">', "</footer>"


def _with_footer(html: str, pk: int, actions: str) -> str:
    """`html` with the actions of comment `pk` replaced, if the page shows them."""
    at = html.find(f'id="comment-{pk}"')
    if at == -1:
        return html
    start = html.find(FOOTER_OPEN, at)
    following = html.find('<li class="comment', at + 1)
    if start == -1 or (following != -1 and start > following):
        return html  # shown as removed: no actions
    start += len(FOOTER_OPEN)
    return html[:start] + actions + html[html.index(FOOTER_CLOSE, start):]


THREAD = get_template("comments/includes/_thread.html")


def _render(conversation) -> str:
    """The thread as HTML, from the template, a row per comment in thread order,
    after the marker of its members' own actions (`_own_actions`)."""
    rows = list(_rows(conversation.roots))
    if not rows:
        return ""
    ids = [row["comment"].pk for row in rows]
    return parts.marker("thread", min(ids), max(ids)) + THREAD.render({"rows": rows})


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
            "actions": _actions(c) if node.visible else "",
            "has_replies": bool(node.children),
            "closes": range(closing if last else 0) if not node.children else range(0),
        }
        if node.children:
            yield from _rows(node.children, closing + 1 if last else 1)
