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
