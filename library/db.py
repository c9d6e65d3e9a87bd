"""Small database helpers shared by services."""
from django.db import IntegrityError, transaction


def insert_once(model, **fields) -> bool:
    """Insert a row that a unique constraint allows only once. True if this call
    inserted it; False if it was already there (or another request won the race)."""
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def work_through(senders, items, handle, *, size: int, upto: str, done) -> bool:
    """One batch of a long piece of work (a mailing to every subscriber), in one
    transaction: the first of `senders` (a queryset, in order) that no other worker
    holds, the next `size` of `items(sender)` past its high-water mark `upto` (a
    primary key), and `handle(sender, batch)`, which returns fields to update on the
    sender; then the mark moves to the batch's last, and after a short batch,
    `done(sender)`'s fields mark the sender finished. What `handle` writes commits
    with the mark: a worker stopped at any moment leaves nothing done twice and
    nothing lost. False when no sender is left."""
    with transaction.atomic():
        sender = senders.select_for_update(skip_locked=True, of=("self",)).first()
        if sender is None:
            return False
        batch = list(items(sender).filter(pk__gt=getattr(sender, upto)).order_by("pk")[:size])
        fields = handle(sender, batch) or {}
        if batch:
            fields[upto] = batch[-1].pk
        if len(batch) < size:
            fields.update(done(sender))
        if fields:
            type(sender).objects.filter(pk=sender.pk).update(**fields)
    return True
