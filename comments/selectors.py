"""A page's whole conversation from one query, built into a tree in Python."""
from dataclasses import dataclass, field

from django.db.models import Count

from .models import Comment, CommentReport
from .targets import content_type_for, target_label


@dataclass
class Node:
    comment: Comment
    visible: bool  # False: shown only as "This comment was removed." for its replies
    children: list["Node"] = field(default_factory=list)
    reported: bool = False


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
    reported = reported_ids(viewer_id, target) if viewer_id and comments else set()
    nodes = {}
    for c in comments:
        visible = (c.is_public) or (
            c.status == Comment.Status.PENDING and not c.is_deleted and c.author_id == viewer_id
        )
        nodes[c.pk] = Node(comment=c, visible=visible, reported=c.pk in reported)
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


def reported_ids(viewer_id, target) -> set:
    """The comments here that this member has reported."""
    return set(
        CommentReport.objects.filter(
            reporter_id=viewer_id, resolved_at__isnull=True,
            comment__content_type=content_type_for(target),
            comment__object_id=target.pk,
        ).values_list("comment_id", flat=True)
    )


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
