"""What can carry a conversation, and who may see it. Apps that host conversations
register their model here from their AppConfig.ready(), with the rule saying
whether a user may see one of its objects (and so read and join its conversation)."""
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from library.rules import parse_id

# label ("articles.article") -> (model, may this user see it?)
_hosts: dict[str, tuple] = {}


def register(model, *, visible) -> None:
    _hosts[model._meta.label_lower] = (model, visible)


def target_label(obj) -> str:
    return obj._meta.label_lower


def resolve_target(label: str, object_id, user):
    """The target a form names, or 404 when it is unknown or hidden from `user`."""
    if label not in _hosts:
        raise Http404("No such conversation.")
    model, visible = _hosts[label]
    pk = parse_id(object_id)
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None or not visible(obj, user):
        raise Http404("No such conversation.")
    return obj


def content_type_for(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj)


def host_labels() -> list[str]:
    return sorted(_hosts)


def host_model(label: str):
    """The registered model of a label, or None."""
    return _hosts[label][0] if label in _hosts else None
