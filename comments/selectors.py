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
    # Members with a comment awaiting moderation here: only they see it.
    pending_authors: set = field(default_factory=set)


def comment_tree(*, target, viewer) -> Conversation:
    comments = list(
        Comment.objects.filter(content_type=content_type_for(target), object_id=target.pk)
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
    return Conversation(
        target=target,
        label=target_label(target),
        roots=_prune(roots),
        count=sum(1 for c in comments if c.is_public),
        pending_authors={
            c.author_id for c in comments
            if c.status == Comment.Status.PENDING and not c.is_deleted
        },
    )


def mine_in_range(viewer_id, low: int, high: int) -> tuple[list, set[int]]:
    """This member's own comments with ids from `low` to `high`, and those of the
    range they have reported that staff have not yet resolved: a page's thread,
    whatever its length, in one plain query, since every member's page view asks it."""
    q = connection.ops.quote_name
    comments, reports = q(Comment._meta.db_table), q(CommentReport._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q('id')}, {q('status')}, {q('is_deleted')}, {q('created_at')}, 0 "
            f"FROM {comments} WHERE {q('author_id')} = %s AND {q('id')} BETWEEN %s AND %s "
            f"UNION ALL SELECT {q('comment_id')}, '', %s, NULL, 1 FROM {reports} "
            f"WHERE {q('reporter_id')} = %s AND {q('resolved_at')} IS NULL "
            f"AND {q('comment_id')} BETWEEN %s AND %s",
            [viewer_id, low, high, False, viewer_id, low, high],
        )
        rows = cursor.fetchall()
    column = Comment._meta.get_field("created_at").get_col(Comment._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    mine, flagged = [], set()
    for pk, status, is_deleted, created_at, is_report in rows:
        if is_report:
            flagged.add(pk)
            continue
        for convert in converters:  # SQLite answers text; PostgreSQL a datetime
            created_at = convert(created_at, column, connection)
        mine.append(Mine(pk, viewer_id, status, bool(is_deleted), created_at))
    return mine, flagged


@dataclass(frozen=True)
class Mine:
    """What a member's own comment's actions depend on (moderation.in_edit_window)."""
    pk: int
    author_id: int
    status: str
    is_deleted: bool
    created_at: object


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
