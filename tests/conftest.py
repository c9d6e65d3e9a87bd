import pytest

from tests.factories import make_member


@pytest.fixture
def member(db):
    return make_member(display_name="Hannah P.")


@pytest.fixture
def other_member(db):
    return make_member(display_name="Eli K.")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Rendered pages live in each process's memory, outside the test's transaction:
    every test starts with none."""
    from intercessors.caches import page_store

    page_store().clear()


@pytest.fixture
def running_site(db):
    """The site's page version already set, as on a running site: a pinned query
    count is then what every request but the very first one costs."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from intercessors import pagecache

    pagecache.version()
    ContentType.objects.get_for_models(*apps.get_models())  # kept by every worker
