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
