from django.contrib.auth.models import Group

from accounts.services import delete_account
from prayers.models import State


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
