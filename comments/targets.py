"""What can carry a conversation, and who may see it."""
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from articles.models import Article
from prayers.models import State


def _article_visible(article, user):
    return article.is_public or user.is_staff


# label -> (model, may this user see and join the conversation?)
TARGETS = {
    "articles.article": (Article, _article_visible),
    "prayers.state": (State, lambda state, user: True),
}


def target_label(obj) -> str:
    return obj._meta.label_lower


def resolve_target(label: str, object_id, user):
    """The target a form names, or 404 when it is unknown or hidden from `user`."""
    if label not in TARGETS:
        raise Http404("No such conversation.")
    model, visible = TARGETS[label]
    try:
        pk = int(object_id)
    except (ValueError, TypeError) as exc:
        raise Http404("No such conversation.") from exc
    obj = model.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if obj is None or not visible(obj, user):
        raise Http404("No such conversation.")
    return obj


def content_type_for(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj)
