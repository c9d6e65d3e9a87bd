"""What the prayer tests share: Texas, and a member there who asks for prayer."""
import pytest

from states.models import State
from tests.factories import make_member


@pytest.fixture
def texas(db):
    return State.objects.get(code="TX")


@pytest.fixture
def asker(db, texas):
    return make_member(display_name="Martha Quill", home_state=texas)
