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


def test_a_request_deleted_in_admin_leaves_the_wall_at_once(asker, admin_client):
    from django.test import Client

    from prayers.models import Prayer

    gone = make_request(author=asker, text="Pray for the bridge repairs in our town.")
    reader = Client()
    assert "bridge repairs" in reader.get("/prayers/requests/").content.decode()
    assert reader.get("/prayers/requests/")["X-Page-Cache"] == "hit"  # the page cache is on
    response = admin_client.post("/admin/prayers/prayerrequest/", {
        "action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"})
    assert response.status_code == 302 and not Prayer.objects.filter(pk=gone.pk).exists()
    assert "bridge repairs" not in reader.get("/prayers/requests/").content.decode()


def test_every_admin_list_of_what_members_write_retires_shared_pages():
    """What members write shows on shared pages: deleting it in admin, one or many,
    retires them (one mixin), a new kind of writing included."""
    from django.contrib import admin

    from library.admin import RetirePagesAdminMixin
    from library.text.moderation import Moderated

    moderated = {model: model_admin for model, model_admin in admin.site._registry.items()
                 if issubclass(model, Moderated)}
    assert {model.__name__ for model, model_admin in moderated.items()
            if not isinstance(model_admin, RetirePagesAdminMixin)} == set()
