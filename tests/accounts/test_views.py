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


def test_the_profile_has_one_form_and_one_save_button(db):
    from updates.models import Subscriber

    member = make_member(display_name="Ruth Ames")
    client = logged_in(member)
    page = client.get("/accounts/profile/").content.decode()
    main = page[page.index("<main"):page.index("</main>")]  # not the header's log-out
    assert main.count("<form") == 1 and main.count("<button") == 1
    # The one button saves the profile and the prayer updates together.
    response = client.post("/accounts/profile/", {
        "display_name": "Ruth A.", "notify_replies": "on", "updates-daily": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Ruth A." and not member.notify_answered
    subscriber = Subscriber.objects.get(member=member)
    assert subscriber.daily and not subscriber.weekly and subscriber.is_active
    assert "You get the daily email" in client.get("/accounts/profile/").content.decode()


def test_saving_the_profile_alone_subscribes_no_one(db):
    from updates.models import Subscriber

    member = make_member()
    client = logged_in(member)
    client.post("/accounts/profile/", {"display_name": "Ruth A."})
    assert not Subscriber.objects.exists()


def test_a_state_not_on_the_list_saves_nothing_and_says_why(db):
    member = make_member(display_name="Ruth Ames")
    response = logged_in(member).post("/accounts/profile/", {
        "display_name": "Ruth A.", "updates-state": "atlantis"})
    assert "Please choose a state from the list" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Ruth Ames"
