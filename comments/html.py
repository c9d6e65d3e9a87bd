"""A conversation as a page shows it: its thread rendered from one template, in a
flat loop over the comments in thread order (a recursive include took a second
for a thousand comments), shared by every reader but for each one's actions."""
import re
import secrets
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


def _actions(c, slot: str) -> str:
    """A comment's actions as members share them: Reply and Report under a published
    comment, after the comment's slot. Each reader's are rewritten from these
    (`_own_actions`), found by the slot: a random value of this render, which no
    text a member writes can hold or guess."""
    links = _links()
    shared = links["reply"] + links["report"] if c.status == Comment.Status.PUBLISHED else ""
    # Safe: the links come from format_html; the slot is hex; the id is an integer.
    return mark_safe(_slot(slot, int(c.pk)) + shared.replace("{pk}", str(int(c.pk))))  # nosec B308 B703


def _slot(slot: str, pk: int) -> str:
    return f"{SLOT_OPEN}{slot}:{pk}-->"


SLOT_OPEN = "<!--actions:"


@parts.register("thread", rewrite=True)
def _own_actions(request, html, low, high, slot=""):
    """The thread's actions for this reader. Readers who are not logged in have
    nothing to report; a member has Edit and Delete under their own comments and
    "Reported" under those they have reported. One query for the thread's range of
    comment ids, so a thread of any length costs the same. A render kept from before
    slots (no `slot`) shows every member the shared actions until it is replaced."""
    user = request.user
    links = _links()
    if not user.is_authenticated:
        html = _report_links().sub("", html)
    elif slot:
        own, reported = mine_in_range(user.pk, int(low), int(high))
        for pk in reported:
            report = links["report"].replace("{pk}", str(pk))
            html = _with_actions(html, slot, pk,
                                 lambda shown, report=report: shown.replace(
                                     report, links["reported"], 1))
        for c in own:
            shown = [links["reply"]] if c.status == Comment.Status.PUBLISHED else []
            if can_edit(c, user):
                shown.append(links["edit"])
            shown.append(links["delete"])
            actions = "".join(shown).replace("{pk}", str(int(c.pk)))
            html = _with_actions(html, slot, c.pk, lambda _, actions=actions: actions)
    return _without_slots(html, slot) if slot else html


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


FOOTER_CLOSE = "</footer>"


def _with_actions(html: str, slot: str, pk: int, change) -> str:
    """`html` with the actions of comment `pk` (from its slot to the end of its
    footer) changed, if the page shows them."""
    mark = _slot(slot, pk)
    at = html.find(mark)
    if at == -1:
        return html  # shown as removed, or not on this page: no actions
    start = at + len(mark)
    end = html.index(FOOTER_CLOSE, start)
    return html[:start] + change(html[start:end]) + html[end:]


def _without_slots(html: str, slot: str) -> str:
    """The page without this render's slots: no reader sees them."""
    pieces = html.split(SLOT_OPEN + slot + ":")
    return pieces[0] + "".join(piece[piece.index("-->") + 3:] for piece in pieces[1:])


THREAD = get_template("comments/includes/_thread.html")


def _render(conversation) -> str:
    """The thread as HTML, from the template, a row per comment in thread order,
    after the marker of its members' own actions (`_own_actions`)."""
    slot = secrets.token_hex(8)
    rows = list(_rows(conversation.roots, slot))
    if not rows:
        return ""
    ids = [row["comment"].pk for row in rows]
    return parts.marker("thread", min(ids), max(ids), slot) + THREAD.render({"rows": rows})


def _rows(nodes, slot, closing=0):
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
            "actions": _actions(c, slot) if node.visible else "",
            "has_replies": bool(node.children),
            "closes": range(closing if last else 0) if not node.children else range(0),
        }
        if node.children:
            yield from _rows(node.children, slot, closing + 1 if last else 1)
