"""What the migrations load (states, the site's pages, the Editors group and its
permissions) comes back whole after a database is emptied, as tests that need real
transactions leave it; `seed_demo` and the suite rely on it."""
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from intercessors.management.commands.seed_demo import (
    REFERENCE_MIGRATIONS,
    ensure_reference_data,
)
from intercessors.models import SitePage
from states.models import State


def reference_data():
    editors = Group.objects.get(name="Editors")
    return (
        sorted(State.objects.values_list("code", "slug", "name")),
        sorted(SitePage.objects.values_list("kind", "title", "body", "body_html")),
        sorted(editors.permissions.values_list("content_type__app_label", "codename")),
    )


@pytest.mark.django_db(transaction=True)
def test_an_emptied_database_gets_back_what_its_migrations_loaded():
    migrated = reference_data()
    assert len(migrated[0]) == 51 and migrated[1] and len(migrated[2]) > 10
    call_command("flush", "--noinput", verbosity=0)
    assert not State.objects.exists()
    ensure_reference_data()
    assert reference_data() == migrated


def test_every_migration_that_grants_editors_is_loaded_again_into_an_emptied_database():
    """A migration that gives the Editors group permissions is reference data: one
    missing from REFERENCE_MIGRATIONS leaves editors without them after a flush."""
    root = Path(__file__).resolve().parents[2]
    granting = {
        ".".join(path.relative_to(root).with_suffix("").parts)
        for path in root.glob("*/migrations/0*.py")
        if "editors.grant(" in path.read_text() or "Editors" in path.read_text()
    }
    assert granting <= set(REFERENCE_MIGRATIONS), granting - set(REFERENCE_MIGRATIONS)
