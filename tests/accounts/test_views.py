"""The member's own pages: "My prayers" and the profile."""
from django.test import Client

from prayers.services import mark_prayed
from tests.factories import make_article, make_member


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_prayers_names_the_post_prayed_for_by_its_title(db):
    member = make_member()
    post = make_article(title="Flood relief in the river towns")
    mark_prayed(user=member, prayer=post.prayer)
    journal = logged_in(member).get("/accounts/prayers/").content.decode()
    assert "Flood relief in the river towns" in journal
    assert "a prayer post" not in journal
