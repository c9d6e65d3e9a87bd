"""The contact form: a reader writes to the ministry without seeing its staff
address, staff answer by replying, and a letter with links waits for staff."""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from library.models import Letter, OutboxMessage
from tests.factories import make_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

STAFF = "team@ministry.example"


@pytest.fixture(autouse=True)
def staff_address(settings):
    settings.CONTACT_EMAIL = STAFF


def letter(**overrides):
    data = {"name": "Lydia Purple", "email": "lydia@example.org",
            "subject": "A question about the weekly call",
            "message": "Hello,\nWhat time is the Ohio call on Tuesday?\nThank you.",
            "website": ""}
    data.update(overrides)
    return data


def test_the_page_keeps_its_text_above_a_plain_form(client, db):
    html = client.get("/contact/").content.decode()
    assert "PO Box 1000" in html
    form = html.index('<form method="post" action="/contact/"')
    assert html.index("PO Box 1000") < form
    for name in ("name", "email", "subject", "message"):
        assert f'name="{name}"' in html[form:]
    assert 'name="csrfmiddlewaretoken"' in html[form:]


def test_a_letter_goes_to_staff_with_the_readers_reply_to_and_a_copy_to_the_reader(
        client, db):
    response = client.post("/contact/", letter())
    assert response.status_code == 302 and response["Location"] == "/contact/sent/"
    sent = client.get("/contact/sent/").content.decode()
    assert "We received your message" in sent
    assert "lydia@example.org" not in sent and STAFF not in sent

    mails = {m.to[0]: m for m in delivered()}
    assert set(mails) == {STAFF, "lydia@example.org"}
    to_staff = mails[STAFF]
    assert to_staff.extra_headers["Reply-To"] == "lydia@example.org"
    assert "A question about the weekly call" in to_staff.subject
    assert "What time is the Ohio call on Tuesday?" in to_staff.body
    assert "Lydia Purple" in to_staff.body
    assert not to_staff.alternatives  # plain text only
    copy = mails["lydia@example.org"]
    assert "We received your message" in copy.subject
    assert "What time is the Ohio call on Tuesday?" in copy.body
    assert STAFF not in copy.body and "Reply-To" not in copy.extra_headers
    assert not copy.alternatives
    assert Letter.objects.get().status == Letter.Status.SENT


def test_what_the_reader_typed_is_cleaned_before_it_is_mailed(client, db):
    client.post("/contact/", letter(name="Lydia\u202e  Purple",
                                    subject="Hi\u200b\tthere",
                                    message="Line one\r\nLine\x07 two\u202e"))
    stored = Letter.objects.get()
    assert stored.sender_name == "Lydia Purple"
    assert stored.subject == "Hi there"
    assert stored.body == "Line one\nLine two"
    to_staff = next(m for m in delivered() if m.to == [STAFF])
    assert "\u202e" not in to_staff.body and "\x07" not in to_staff.body


@pytest.mark.parametrize(("fields", "words"), [
    ({"name": ""}, "Please enter your name."),
    ({"email": "not-an-address"}, "Please enter a valid email address"),
    ({"subject": "   "}, "Please write a subject."),
    ({"message": ""}, "Please write your message."),
    ({"message": "x" * 5001}, "Please keep your message to 5,000 characters"),
    ({"subject": "s" * 151}, "Please keep the subject to 150 characters"),
    ({"message": "nul \x00 byte"}, "Null characters are not allowed."),
    ({"website": "http://bot.example"}, "a hidden field was filled in"),
])
def test_bad_input_comes_back_with_a_message_and_what_was_typed(client, db, fields, words):
    response = client.post("/contact/", letter(**fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert "Everything you typed is still here" in html
    if "subject" not in fields:
        assert 'value="A question about the weekly call"' in html
    if "message" not in fields:
        assert "What time is the Ohio call on Tuesday?" in html
    assert Letter.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_a_post_missing_fields_or_with_odd_values_is_never_an_error(client, db):
    assert client.post("/contact/", {}).status_code == 400
    assert client.post("/contact/", {"name": ["a", "b"], "email": "x@"}).status_code == 400
    raw = b"name=%ff%fe&email=a%40example.org&subject=%c0&message=%ed%a0%80"
    assert client.post("/contact/", raw, content_type="application/x-www-form-urlencoded"
                       ).status_code in (302, 400)
    assert client.put("/contact/").status_code == 405


def test_five_letters_an_hour_from_one_network_then_429_with_the_text_kept(db):
    client = Client(REMOTE_ADDR="203.0.113.5")
    statuses = [client.post("/contact/", letter(email=f"r{n}@example.org")).status_code
                for n in range(5)]
    assert statuses == [302] * 5
    response = client.post("/contact/", letter(email="sixth@example.org",
                                               message="My sixth letter today."))
    assert response.status_code == 429
    html = response.content.decode()
    assert "several messages from your connection" in html
    assert "My sixth letter today." in html and 'value="sixth@example.org"' in html
    assert Letter.objects.count() == 5
    assert Client(REMOTE_ADDR="198.51.100.7").post(
        "/contact/", letter(email="next@example.org")).status_code == 302


def test_three_letters_an_hour_for_one_address_whatever_the_network(db):
    statuses = [Client(REMOTE_ADDR=f"203.0.113.{n}").post(
        "/contact/", letter(email="Same@Example.org" if n % 2 else "same@example.org")
    ).status_code for n in range(1, 5)]
    assert statuses == [302, 302, 302, 429]
    assert Letter.objects.count() == 3


def test_a_letter_with_a_link_waits_for_staff_and_goes_once_they_send_it_on(client, db):
    response = client.post("/contact/", letter(message="Please see www.example.com/offer"))
    assert response.status_code == 302
    sent = client.get("/contact/sent/").content.decode()
    assert "our team will read it" in sent
    held = Letter.objects.get()
    assert held.status == Letter.Status.HELD
    assert delivered() == [] and OutboxMessage.objects.count() == 0

    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    listing = staff.get("/admin/library/letter/").content.decode()
    assert "A question about the weekly call" in listing
    page = staff.get(f"/admin/library/letter/{held.pk}/change/").content.decode()
    assert "www.example.com/offer" in page and "lydia@example.org" in page
    response = staff.post("/admin/library/letter/",
                          {"action": "send_on", "_selected_action": [held.pk]})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Letter.Status.SENT and held.decided_by is not None
    mails = {m.to[0]: m for m in delivered()}
    assert mails[STAFF].extra_headers["Reply-To"] == "lydia@example.org"
    assert "www.example.com/offer" in mails["lydia@example.org"].body
    # Sending on twice sends nothing more.
    staff.post("/admin/library/letter/", {"action": "send_on", "_selected_action": [held.pk]})
    assert OutboxMessage.objects.count() == 2


def test_a_held_letter_staff_discard_is_never_mailed(client, db):
    client.post("/contact/", letter(message="Cheap https://spam.example/pills"))
    held = Letter.objects.get()
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    staff.post("/admin/library/letter/", {"action": "discard", "_selected_action": [held.pk]})
    staff.post("/admin/library/letter/", {"action": "send_on", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert held.status == Letter.Status.DISCARDED
    assert OutboxMessage.objects.count() == 0


def test_staff_see_the_readers_address_only_with_the_permission_for_it(client, db):
    client.post("/contact/", letter(message="Please see www.example.com/offer"))
    held = Letter.objects.get()
    reader = make_member(is_staff=True)
    reader.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_letter", "change_letter"]))
    staff = Client()
    staff.force_login(reader)
    for url in ["/admin/library/letter/", f"/admin/library/letter/{held.pk}/change/",
                "/admin/library/letter/?q=lydia", "/admin/library/letter/?sender_email=x"]:
        html = staff.get(url).content.decode()
        assert "lydia@example.org" not in html, url
    assert "l•••@example.org" in staff.get(f"/admin/library/letter/{held.pk}/change/"
                                           ).content.decode()
    reader.user_permissions.add(Permission.objects.get(codename="view_letter_sender"))
    staff = Client()
    staff.force_login(reader)
    assert "lydia@example.org" in staff.get(f"/admin/library/letter/{held.pk}/change/"
                                            ).content.decode()
    outsider = Client()
    outsider.force_login(make_member(is_staff=True))
    assert outsider.get("/admin/library/letter/").status_code == 403


def test_the_admin_home_counts_letters_waiting(client, db):
    client.post("/contact/", letter(message="Please see www.example.com/offer"))
    staff = Client()
    staff.force_login(make_member(is_staff=True, is_superuser=True))
    assert "letters awaiting review" in staff.get("/admin/").content.decode()


def test_csrf_is_required(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/contact/", letter()).status_code == 403
    assert Letter.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_a_mail_server_that_is_down_loses_nothing(client, db, settings,
                                                 django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.comments.broken_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/contact/", letter()).status_code == 302
    assert Letter.objects.count() == 1
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.WAITING)
    assert sorted(waiting.values_list("to", flat=True)) == ["lydia@example.org", STAFF]
