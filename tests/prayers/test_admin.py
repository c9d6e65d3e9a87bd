"""The prayer requests' admin: what moderators see of each request."""
import pytest
from django.contrib.auth.models import Group

from tests.factories import make_member, make_request


@pytest.fixture
def editor(db):
    user = make_member(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_the_held_list_shows_a_requests_links_as_plain_text(client, editor, asker):
    make_request(author=asker, text="Pray for us [here](https://evil.example/?a=1&b=2)",
                 status="pending")
    client.force_login(editor)
    html = client.get("/admin/prayers/prayerrequest/?status__exact=pending").content.decode()
    assert "https://evil.example/?a=1&amp;b=2" in html
    assert 'href="https://evil.example' not in html
