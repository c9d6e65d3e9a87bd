import pytest

from tests.factories import make_member


@pytest.fixture
def member(db):
    return make_member(display_name="Hannah P.")


@pytest.fixture
def other_member(db):
    return make_member(display_name="Eli K.")
