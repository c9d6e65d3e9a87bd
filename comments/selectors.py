"""A page's whole conversation from one query, built into a tree in Python."""
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count

from .models import Comment, CommentReport
from .targets import content_type_for, target_label


@dataclass
class Node:
    comment: Comment
    visible: bool  # False: shown only as "This comment was removed." for its replies
    children: list["Node"] = field(default_factory=list)


@dataclass
class Conversation:
    target: object
    label: str
    roots: list[Node]
    count: int  # published comments, as "Comments (N)" shows
    rows: int  # every comment, whoever may see it


def comment_tree(*, target, viewer) -> Conversation:
    roots, count, rows = thread_roots(content_type_id=content_type_for(target).pk,
                                      object_id=target.pk, viewer=viewer)
    return Conversation(target=target, label=target_label(target), roots=roots, count=count,
                        rows=rows)


def thread_roots(*, content_type_id: int, object_id: int, viewer) -> tuple[list[Node], int, int]:
    """The conversation's tree as `viewer` sees it, its published comments' count, and
    how many comments it holds in all (awaiting review and removed ones too)."""
    comments = list(
        Comment.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("author")
        .defer("body", "author__password", "author__email")
        .order_by("created_at", "id")
    )
    viewer_id = viewer.pk if viewer.is_authenticated else None
    nodes = {}
    for c in comments:
        visible = (c.is_public) or (
            c.status == Comment.Status.PENDING and not c.is_deleted and c.author_id == viewer_id
        )
        nodes[c.pk] = Node(comment=c, visible=visible)
    roots = []
    for c in comments:
        node = nodes[c.pk]
        parent = nodes.get(c.parent_id)
        # Replies below the deepest level are shown beside their parent.
        while parent is not None and parent.comment.depth >= c.depth:
            parent = nodes.get(parent.comment.parent_id)
        (parent.children if parent else roots).append(node)
    return _prune(roots), sum(1 for c in comments if c.is_public), len(comments)


def involvement(content_type_id: int, object_id: int, user_id: int) -> tuple[bool, set[int]]:
    """Whether this member wrote in this conversation, and which of its comments they
    reported that staff have not settled: one plain query, asked on every member's
    view of a page with a conversation."""
    q = connection.ops.quote_name
    comments, reports = q(Comment._meta.db_table), q(CommentReport._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.{q('id')}, c.{q('author_id')} = %s, r.{q('id')} IS NOT NULL "
            f"FROM {comments} c LEFT JOIN {reports} r ON r.{q('comment_id')} = c.{q('id')} "
            f"AND r.{q('reporter_id')} = %s AND r.{q('resolved_at')} IS NULL "
            f"WHERE c.{q('content_type_id')} = %s AND c.{q('object_id')} = %s "
            f"AND (c.{q('author_id')} = %s OR r.{q('id')} IS NOT NULL)",
            [user_id, user_id, content_type_id, object_id, user_id],
        )
        rows = cursor.fetchall()
    return any(wrote for _, wrote, _ in rows), {pk for pk, _, reported in rows if reported}


def reported_in(target, user) -> set[int]:
    """The ids of this conversation's comments the member reported, not yet settled."""
    return set(CommentReport.objects.filter(
        reporter=user, resolved_at__isnull=True, comment__content_type=content_type_for(target),
        comment__object_id=target.pk).values_list("comment_id", flat=True))


def _prune(nodes: list[Node]) -> list[Node]:
    """Drop what the viewer may not see, keeping a placeholder where replies hang on it."""
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.visible or node.children:
            kept.append(node)
    return kept


def comment_counts(*, targets) -> dict[int, int]:
    """Published comments on each of these objects (all of one model), in one query."""
    if not targets:
        return {}
    rows = (
        Comment.objects.filter(content_type=content_type_for(targets[0]),
                               object_id__in=[t.pk for t in targets],
                               status=Comment.Status.PUBLISHED, is_deleted=False)
        .values("object_id").annotate(n=Count("id")).values_list("object_id", "n")
    )
    return dict(rows)
