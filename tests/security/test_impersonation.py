"""Nobody can pass for someone else: not by a display name, a stolen session,
reports, partner mail or an upload."""
import pytest
from django.test import Client

from tests.factories import make_article, make_comment, make_member
from tests.mailbox import delivered

# Before: each of these was saved as a member's new display name.
REFUSED = {
    "another member's name": ("Grace M.", "already uses that name"),
    "the same name in capitals": ("GRACE M.", "already uses that name"),
    "the same name with a zero-width space": ("Grace\u200b M.", "already uses that name"),
    "the same name in full-width letters": ("Ｇｒａｃｅ M.", "already uses that name"),
    "a Cyrillic look-alike": ("Grаce M.", "mixes letters from different alphabets"),
    "a Greek look-alike": ("Ruth Νewcomer", "mixes letters from different alphabets"),
    "a staff title": ("Ruth (Editor)", "is kept for our ministry team"),
    "staff": ("Intercessors Staff", "is kept for our ministry team"),
    "a moderator": ("The Moderator", "is kept for our ministry team"),
    "admin": ("admin", "is kept for our ministry team"),
    "the ministry's name": ("Intercessors", "is kept for our ministry team"),
    "deleted member": ("Deleted member", "is kept for our ministry team"),
    "Hangul fillers": ("\u3164\u3164\u3164", "at least two letters or digits"),
    "braille blanks": ("\u2800\u2800\u2800", "at least two letters or digits"),
    "combining marks": ("\u0301\u0301\u0301", "at least two letters or digits"),
    "one letter among blanks": ("A\u3164\u2800", "at least two letters or digits"),
}


@pytest.fixture
def grace(db):
    return make_member(display_name="Grace M.")


@pytest.mark.parametrize("name,message", REFUSED.values(), ids=REFUSED.keys())
def test_a_member_cannot_take_a_name_that_passes_for_someone_else(client, grace, name, message):
    member = make_member(display_name="Joel T.")
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": name, "home_state": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{name}"' in html  # what was typed comes back
    member.refresh_from_db()
    assert member.display_name == "Joel T."


@pytest.mark.parametrize(
    "name",
    ["Grace Mwangi", "José Núñez", "Zoë O'Brien-Smith", "Иван Петров", "Σοφία", "李小龍",
     "佐藤 はなこ", "Renée 2", "AJ"],
)
def test_real_names_in_any_script_are_welcome(client, grace, name):
    member = make_member(display_name="Joel T.")
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": name, "home_state": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.display_name == name


def test_a_member_may_keep_their_own_name_and_change_its_case(client, grace):
    client.force_login(grace)
    response = client.post("/accounts/profile/", {"display_name": "Grace m.", "home_state": ""})
    assert response.status_code == 302


def test_sign_up_checks_the_name_too(client, grace):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "pray-without-ceasing-17",
         "password2": "pray-without-ceasing-17", "display_name": "grace m."},
    )
    assert response.status_code == 200
    assert "already uses that name" in response.content.decode()


def test_staff_may_use_staff_words_and_their_comments_carry_a_staff_mark(client, db):
    from django.contrib.auth.models import Group

    editor = make_member(display_name="Ruth", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        "/accounts/profile/", {"display_name": "Ruth (Editor)", "home_state": ""}
    )
    assert response.status_code == 302
    post = make_article()
    make_comment(target=post, author=editor, body="A word from our team.")
    make_comment(target=post, author=make_member(display_name="Ruth Staff fan"),
                 body="Not staff.")
    html = Client().get(post.get_absolute_url()).content.decode()
    assert html.count('<span class="staff-mark"') == 1
    assert html.index('<span class="staff-mark"') < html.index("A word from our team.")


def test_a_member_cannot_fake_the_staff_mark_in_a_comment(client, member):
    post = make_article()
    client.force_login(member)
    client.post(
        "/comments/post/",
        {"target": "articles.article", "object_id": post.pk,
         "body": '<span class="staff-mark">Staff</span> send gift cards'},
    )
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "send gift cards" in html
    assert '<span class="staff-mark"' not in html


def test_a_stolen_session_cannot_change_the_accounts_email(client, member, mailoutbox):
    """With only the session cookie, adding or removing an address, or making another
    one primary, first asks for the password."""
    from allauth.account.models import EmailAddress

    client.force_login(member)
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "attacker@example.net"}
    )
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert not EmailAddress.objects.filter(email="attacker@example.net").exists()
    assert delivered() == []


def test_after_reauthenticating_the_old_address_hears_of_the_change(client, member, mailoutbox):
    from allauth.account.models import EmailAddress

    from tests.factories import DEFAULT_PASSWORD

    client.force_login(member)
    old = member.email
    response = client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})
    new = EmailAddress.objects.get(email="second@example.org")
    new.verified = True
    new.save()
    client.post("/accounts/email/", {"action_primary": "", "email": "second@example.org"})
    assert EmailAddress.objects.get(email="second@example.org").primary
    notices = [m for m in delivered() if old in m.to and "second@example.org" in m.body]
    assert notices, [(m.to, m.subject) for m in delivered()]


def test_an_account_holds_at_most_two_addresses(client, member):
    from allauth.account.models import EmailAddress

    from tests.factories import DEFAULT_PASSWORD

    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": "two@example.org"})
    response = client.post("/accounts/email/", {"action_add": "", "email": "three@example.org"})
    assert EmailAddress.objects.filter(user=member).count() == 2
    assert response.status_code == 200
    assert "three@example.org" not in EmailAddress.objects.values_list("email", flat=True)

