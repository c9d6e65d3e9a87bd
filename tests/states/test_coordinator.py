"""A word to a state's coordinator: a form on the state's page relays the reader's
letter (library.mail.relay) to an address staff keep in admin and no page shows."""
import pytest
from django.test import Client

from library.models import Letter, OutboxMessage
from states.models import State
from tests.factories import make_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")

COORDINATOR = "maria.delgado@tx-coordinators.example"


@pytest.fixture
def texas(db):
    texas = State.objects.get(code="TX")
    texas.coordinator_name = "Maria Delgado"
    texas.coordinator_email = COORDINATOR
    texas.save()
    return texas


def letter(**overrides):
    data = {"name": "Ruth Moab", "email": "ruth@example.org",
            "message": "Is there a prayer call in Amarillo?\nThank you.", "website": ""}
    data.update(overrides)
    return data


def test_members_find_the_form_on_the_page_and_guests_a_way_to_it(client, texas):
    guest = client.get("/states/texas/").content.decode()
    assert "Write to Maria Delgado" in guest
    assert 'href="/states/texas/write/"' in guest
    assert 'action="/states/texas/write/"' not in guest
    # The page is shared: a guest's copy holds no token for others to be given.
    assert "csrfmiddlewaretoken" not in guest
    client.force_login(make_member())
    html = client.get("/states/texas/").content.decode()
    form = html.index('action="/states/texas/write/"')
    for name in ("name", "email", "message", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html[form:]
    page = client.get("/states/texas/write/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


def test_a_letter_reaches_the_coordinator_with_the_readers_reply_to(client, texas):
    response = client.post("/states/texas/write/", letter())
    assert response.status_code == 302
    assert response["Location"] == "/states/texas/#write"
    back = client.get(response["Location"]).content.decode()
    assert "Your message is on its way to Maria Delgado" in back
    assert COORDINATOR not in back and "ruth@example.org" not in back

    stored = Letter.objects.get()
    assert (stored.kind, stored.to, stored.status) == ("coordinator", COORDINATOR,
                                                       Letter.Status.SENT)
    mails = {m.to[0]: m for m in delivered()}
    assert set(mails) == {COORDINATOR, "ruth@example.org"}
    to_coordinator = mails[COORDINATOR]
    assert to_coordinator.extra_headers["Reply-To"] == "ruth@example.org"
    assert "Is there a prayer call in Amarillo?" in to_coordinator.body
    assert "Ruth Moab wrote to Maria Delgado" in to_coordinator.body
    assert "Texas" in to_coordinator.subject
    copy = mails["ruth@example.org"]
    assert "Maria Delgado" in copy.body and COORDINATOR not in copy.body
    assert "Reply-To" not in copy.extra_headers


def test_a_coordinator_without_a_name_is_written_to_as_the_states(client, db):
    ohio = State.objects.get(code="OH")
    ohio.coordinator_email = "oh@coordinators.example"
    ohio.save()
    assert "Write to the Ohio state coordinator" in client.get("/states/ohio/").content.decode()
    client.post("/states/ohio/write/", letter())
    to_coordinator = next(m for m in delivered() if m.to == ["oh@coordinators.example"])
    assert "Ruth Moab wrote to the Ohio state coordinator" in to_coordinator.body


def test_a_letter_with_a_link_waits_for_staff(client, texas):
    response = client.post("/states/texas/write/",
                           letter(message="See my church at church.example.org"))
    assert response.status_code == 302
    assert "our team will read it first" in client.get("/states/texas/").content.decode()
    assert Letter.objects.get().status == Letter.Status.HELD
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(("fields", "words"), [
    ({"name": ""}, "Please enter your name."),
    ({"name": "n" * 101}, "Please keep your name to 100 characters"),
    ({"email": ""}, "Please enter your email address."),
    ({"email": "ruth@"}, "Please enter a valid email address"),
    ({"email": "ruth@example.org\r\nBcc: x@example.org"}, "Please enter a valid email address"),
    ({"message": "  "}, "Please write your message."),
    ({"message": "x" * 5001}, "Please keep your message to 5,000 characters"),
    ({"website": "http://bot.example"}, "a hidden field was filled in"),
])
def test_bad_input_comes_back_with_a_message_and_what_was_typed(client, texas, fields, words):
    response = client.post("/states/texas/write/", letter(**fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and "Everything you typed is still here" in html
    if "message" not in fields:
        assert "Is there a prayer call in Amarillo?" in html
    if "name" not in fields:
        assert 'value="Ruth Moab"' in html
    assert COORDINATOR not in html
    assert Letter.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_odd_posts_are_never_an_error(client, texas):
    assert client.post("/states/texas/write/", {}).status_code == 400
    assert client.post("/states/texas/write/",
                       {"name": ["a", "b"], "email": ["x@example.org", "y"]}).status_code == 400
    raw = b"name=%ff%fe&email=a%40example.org&message=%ed%a0%80"
    assert client.post("/states/texas/write/", raw,
                       content_type="application/x-www-form-urlencoded").status_code in (302, 400)
    assert client.put("/states/texas/write/").status_code == 405
    assert client.post("/states/atlantis/write/", letter()).status_code == 404


def test_a_state_without_a_coordinator_address_shows_no_form_but_whom_to_write(client, db):
    html = client.get("/states/maine/").content.decode()
    assert 'href="/states/maine/write/"' not in html and "write/" not in html
    assert 'href="/contact/"' in html
    response = client.post("/states/maine/write/", letter(message="Words kept for later."))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Words kept for later." in page and 'href="/contact/"' in page
    assert Letter.objects.count() == 0


def test_letters_to_coordinators_and_staff_share_the_limits(texas):
    """Each letter puts a copy in the address typed: writing to fifty coordinators
    is no way round the three an hour an address may be sent."""
    statuses = [Client(REMOTE_ADDR=f"203.0.113.{n}").post(path, data).status_code
                for n, (path, data) in enumerate([
                    ("/contact/", {**letter(), "subject": "Hello"}),
                    ("/states/texas/write/", letter()),
                    ("/states/texas/write/", letter()),
                    ("/states/texas/write/", letter(message="A fourth letter today."))])]
    assert statuses == [302, 302, 302, 429]
    response = Client(REMOTE_ADDR="203.0.113.9").post(
        "/states/texas/write/", letter(message="A fourth letter today."))
    assert response.status_code == 429
    html = response.content.decode()
    assert "several messages from this email address" in html
    assert "A fourth letter today." in html
    network = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [network.post("/states/texas/write/", letter(email=f"r{n}@example.org"))
                .status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]


def test_csrf_is_required(texas):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/states/texas/write/", letter()).status_code == 403
    assert Letter.objects.count() == 0


def test_a_member_sends_the_form_from_the_shared_page_with_its_token(texas):
    """The page is kept once for every reader; each member's copy gets their token."""
    client = Client(enforce_csrf_checks=True)
    other = Client(enforce_csrf_checks=True)
    client.force_login(make_member())
    other.force_login(make_member())
    other.get("/states/texas/")  # the render every reader shares is kept
    response = client.get("/states/texas/")
    assert response["X-Page-Cache"] == "hit"
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1]
    token = token.split('"')[0]
    assert client.post("/states/texas/write/",
                       {**letter(), "csrfmiddlewaretoken": token}).status_code == 302
    assert Letter.objects.get().to == COORDINATOR


def test_a_guest_sends_the_form_from_its_own_page_with_its_token(texas):
    client = Client(enforce_csrf_checks=True)
    html = client.get("/states/texas/write/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post("/states/texas/write/",
                       {**letter(), "csrfmiddlewaretoken": token}).status_code == 302


def test_the_coordinators_address_is_on_no_page(client, texas):
    """Every page of the state and its letter, for a guest, a member and a staff editor
    (admin aside); the crawl of the whole site (tests/security/test_privacy.py) too."""
    from django.contrib.auth.models import Group

    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    readers = [Client(), Client(), Client()]
    readers[1].force_login(make_member())
    readers[2].force_login(editor)
    readers[0].post("/states/texas/write/", letter())
    for reader in readers:
        for url in ["/", "/states/", "/states/texas/", "/states/texas/write/",
                    "/states/texas/?page=2", "/states/texas/calls.ics", "/sitemap.xml"]:
            assert COORDINATOR not in reader.get(url).content.decode(), url


def test_staff_set_the_address_in_admin(client, db):
    staff = make_member(is_staff=True, is_superuser=True)
    client.force_login(staff)
    ohio = State.objects.get(code="OH")
    form = client.get(f"/admin/states/state/{ohio.pk}/change/").content.decode()
    assert 'name="coordinator_email"' in form


@pytest.mark.parametrize("member", [False, True])
def test_the_write_page_query_count(client, texas, running_site, django_assert_num_queries,
                                    member):
    if member:
        client.force_login(make_member())
    # the state; for a member, their session and account
    with django_assert_num_queries(3 if member else 1):
        assert client.get("/states/texas/write/").status_code == 200
