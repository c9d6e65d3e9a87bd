"""What the mailing tests share: an editor of the demo's Editors group, logged in."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import make_member


@pytest.fixture
def editor(db):
    member = make_member(display_name="Esther Editor", is_staff=True)
    member.groups.add(Group.objects.get(name="Editors"))
    return member


@pytest.fixture
def staff(editor):
    client = Client()
    client.force_login(editor)
    return client
