"""A page's conversation as readers see it. Everyone who took no part in it shares
one render, kept for each version of the site and of its page: Reply under every
published comment, and Report for members. A member who wrote or reported in it
(one query says) gets the thread rendered for them, with Edit and Delete under
their own comments and "Reported" under those they reported."""
import time
from collections import namedtuple
from functools import cache, lru_cache

from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template
from django.urls import reverse

from library.caches import page_store
from library.pages import pagecache, parts
from library.rules import DELETED_MEMBER_NAME

from .models import Comment
from .selectors import comment_tree, involvement, reported_in, thread_roots
from .services import can_edit
from .targets import content_type_for

# What a page needs of a conversation, however it was rendered.
Thread = namedtuple("Thread", "target label count html")


def load_conversation(*, target, request) -> Thread:
    """The member's own conversation when the view renders for them (staff, or the
    page cache off); else the one everyone shares, as the part "thread"."""
    user = request.user
    if user.is_authenticated:
        tree = comment_tree(target=target, viewer=user)
        html = _render(tree.roots, viewer=user, reported=reported_in(target, user))
        return Thread(target=target, label=tree.label, count=tree.count, html=html)
    ct = content_type_for(target).pk
    key = f"thread{pagecache.SHAPE}:{ct}:{target.pk}"
    current = pagecache.versions((pagecache.SITE, target.page_scope), request)
    shared = page_store().get(key)
    if shared is None or shared["versions"] != current:
        tree = comment_tree(target=target, viewer=AnonymousUser())
        shared = {"versions": current, "label": tree.label, "count": tree.count,
                  "rows": tree.rows, "html": _render(tree.roots, viewer=None, reported=set())}
        page_store().set(key, shared, pagecache.TIMEOUT)
    # A conversation without a single comment is the same for everyone.
    html = parts.wrap("thread", shared["html"], ct, target.pk,
                      *target.page_scope.split(":", 1)) if shared["rows"] else shared["html"]
    return Thread(target=target, label=shared["label"], count=shared["count"], html=html)


def _involvement(request, calls) -> dict:
    """The page's conversations this member wrote or reported in (a page has one),
    with the comments of each they reported."""
    if not request.user.is_authenticated:
        return {}
    found = {(ct, pk): involvement(int(ct), int(pk), request.user.pk) for ct, pk, *_ in calls}
    return {place: reported for place, (wrote, reported) in found.items() if wrote or reported}


@parts.register("thread", prepare=_involvement, wraps=True)
def _thread(request, involved, ct, pk, kind, scope, shared):
    """The shared thread, or this member's own, kept while its versions hold and a
    minute at most, so that Edit goes when its window closes."""
    if (ct, pk) not in involved:
        return shared
    user, reported = request.user, involved[ct, pk]
    current = (*pagecache.versions((pagecache.SITE, f"{kind}:{scope}"), request),
               int(time.time() // 60), tuple(sorted(reported)))
    key = f"thread{pagecache.SHAPE}:{ct}:{pk}:for:{user.pk}"
    kept = page_store().get(key)
    if kept is None or kept["versions"] != current:
        roots, *_ = thread_roots(content_type_id=int(ct), object_id=int(pk), viewer=user)
        kept = {"versions": current, "html": _render(roots, viewer=user, reported=reported)}
        page_store().set(key, kept, pagecache.TIMEOUT)
    return kept["html"]


@cache
def _urls() -> dict[str, str]:  # each action's address, "{}" where a comment's id goes
    return {name: reverse(f"comments:{name}", args=[0]).replace("/0/", "/{}/")
            for name in ("reply", "edit", "delete", "report")}


def _actions(c, viewer, reported) -> dict:
    """What a row offers: to everyone who took no part (`viewer` None; Report shown
    to members only), or to one member, with their own comments' Edit and Delete."""
    published = c.status == Comment.Status.PUBLISHED
    own = viewer is not None and c.author_id == viewer.pk
    url = {name: pattern.format(int(c.pk)) for name, pattern in _urls().items()}
    return {
        "reply": url["reply"] if published else "",
        "report": url["report"] if published and not own and c.pk not in reported else "",
        "report_for_members": viewer is None,
        "reported": published and c.pk in reported,
        "edit": url["edit"] if own and can_edit(c, viewer) else "",
        "delete": url["delete"] if own else "",
    }


def _render(roots, *, viewer, reported) -> str:
    """The thread as HTML, a row per comment in thread order, or the words for a
    conversation no one has joined yet. Each comment's own HTML is rendered once for
    the values it shows and kept (`_comment_html`): a thread that takes a comment
    renders that one comment, not all of them again."""
    comment_html = _comment_html(get_template("comments/includes/_comment.html"))
    rows = [{**row, "html": comment_html(shown)} for shown, row in _rows(roots, viewer, reported)]
    return get_template("comments/includes/_thread.html").render({"rows": rows})


# Comments' HTML kept in each process, by everything each shows: never out of date,
# since a changed value is another key; a few KB each.
COMMENTS_KEPT = 5_000


def _comment_html(template):
    """What renders one comment with `template` and keeps it, kept with the compiled
    template itself: a template loaded again (changed settings, a development
    server's edits) starts with nothing kept."""
    compiled = template.template
    kept = compiled.__dict__.get("kept_comments")
    if kept is None:
        @lru_cache(maxsize=COMMENTS_KEPT)
        def kept(shown):
            row = dict(shown)
            row["actions"] = dict(row["actions"]) if row["actions"] is not None else None
            return template.render({"row": row})

        compiled.kept_comments = kept
    return kept


def _rows(nodes, viewer, reported, closing=0):
    """(What a comment shows, the row) in thread order: the first a tuple of every value
    its HTML is made from, the row how it sits in the thread. The last of a list of
    replies closes that list, and the lists that end with it: `closing` counts those
    still open above."""
    for n, node in enumerate(nodes):
        c = node.comment
        last = n == len(nodes) - 1
        actions = _actions(c, viewer, reported) if node.visible else None
        shown = (
            ("pk", c.pk), ("depth", c.depth), ("created_at", c.created_at),
            ("edited_at", c.edited_at), ("body_html", c.body_html),
            ("visible", node.visible),
            ("pending", c.status == Comment.Status.PENDING),
            ("waiting", c.status == Comment.Status.PENDING and not c.is_deleted),
            ("author", c.author.public_name if c.author else DELETED_MEMBER_NAME),
            # Set by the site, never by what a member types: no name may hold staff
            # words (accounts.names) and Markdown cannot make this element.
            ("staff", bool(c.author and c.author.is_staff and not c.author.deleted_at)),
            ("actions", tuple(actions.items()) if actions is not None else None),
        )
        yield shown, {
            "has_replies": bool(node.children),
            "closes": range(closing if last else 0) if not node.children else range(0),
        }
        if node.children:
            yield from _rows(node.children, viewer, reported, closing + 1 if last else 1)
