from django.contrib.auth.models import Group

from accounts.services import delete_account
from states.models import State


def test_delete_account_wipes_personal_data_but_keeps_the_row(member):
    member.home_state = State.objects.get(code="OH")
    member.first_name = "Hannah"
    member.is_staff = True
    member.save()
    member.groups.add(Group.objects.create(name="Readers"))

    delete_account(user=member)

    member.refresh_from_db()
    assert member.public_name == "Deleted member"
    assert str(member) == "Deleted member"
    assert member.username == f"deleted-{member.pk}"
    assert (member.email, member.first_name, member.display_name) == ("", "", "")
    assert not member.is_active and not member.is_staff
    assert not member.has_usable_password()
    assert not member.groups.exists()
    assert member.deleted_at is not None


def test_members_download_their_own_data(client, member, other_member):
    import json

    from partners.models import PartnerPledge
    from prayers.services import mark_prayed
    from tests.factories import make_article, make_comment

    post = make_article()
    make_comment(target=post, author=member, body="My own words")
    make_comment(target=post, author=other_member, body="Someone else's words")
    mark_prayed(user=member, prayer=post.prayer)
    PartnerPledge.objects.create(reference="P-MINE1", first_name="H", last_name="P",
                                 email=member.email, amount=20, frequency="monthly",
                                 member=member)
    assert client.get("/accounts/export/").status_code == 302  # log in first
    client.force_login(member)
    response = client.get("/accounts/export/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Hannah P."
    assert [c["body"] for c in data["comments"]] == ["My own words"]
    assert [m["prayer"] for m in data["prayers_marked"]] == [post.prayer.pk]
    assert [p["reference"] for p in data["partner_pledges"]] == ["P-MINE1"]
    assert other_member.email not in response.content.decode()


def test_deleting_can_also_forget_the_names_on_pledges(client, member):
    from partners.models import PartnerPledge
    from tests.factories import DEFAULT_PASSWORD

    pledge = PartnerPledge.objects.create(reference="P-FORG1", first_name="Hannah",
                                          last_name="P", email=member.email, phone="555 0100",
                                          amount=20, frequency="monthly", member=member)
    client.force_login(member)
    client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD, "forget_pledges": "on"})
    pledge.refresh_from_db()
    assert (pledge.first_name, pledge.email, pledge.phone) == ("", "", "")
    assert pledge.amount == 20 and pledge.reference == "P-FORG1"


def test_deleting_keeps_pledges_for_the_records_by_default(client, member):
    from partners.models import PartnerPledge
    from tests.factories import DEFAULT_PASSWORD

    pledge = PartnerPledge.objects.create(reference="P-KEEP1", first_name="Hannah",
                                          last_name="P", email="h@example.org",
                                          amount=20, frequency="monthly", member=member)
    client.force_login(member)
    client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})
    pledge.refresh_from_db()
    assert pledge.first_name == "Hannah" and pledge.email == "h@example.org"
