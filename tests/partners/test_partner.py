import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from partners.models import PartnerPledge
from states.models import State
from tests.factories import make_member
from tests.mailbox import delivered

# Rate limits count in windows of the wall clock (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_rate_windows")


def pledge_form(**overrides):
    data = {
        "amount_choice": "50",
        "other_amount": "",
        "frequency": "monthly",
        "first_name": "Lydia",
        "last_name": "Purple",
        "email": "lydia@example.org",
        "state": "",
        "phone": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def notify(db, settings):
    settings.PARTNER_NOTIFY_EMAIL = "team@ministry.example"
    settings.PARTNER_CHECKOUT_URL = ""
    return settings


def test_page_explains_and_offers_the_form(client, db, settings):
    settings.MINISTRY_TAX_NOTICE = "Grace Ministry is a 501(c)(3) nonprofit, EIN 00-0000000."
    html = client.get("/partner/").content.decode()
    assert "What partners make possible" in html
    assert "Grace Ministry is a 501(c)(3) nonprofit, EIN 00-0000000." in html
    for amount in ("25", "50", "100", "250"):
        assert f'value="{amount}"' in html
    assert re.search(r'value="monthly"[^>]*checked', html)
    assert not re.search(r'name="wants_emails"[^>]*checked', html)
    assert "card" in html and 'name="card' not in html


@pytest.mark.parametrize(
    ("fields", "amount", "frequency", "words"),
    [
        ({"amount_choice": "50"}, Decimal("50.00"), "monthly", "$50 every month"),
        ({"amount_choice": "250", "frequency": "one_time"}, Decimal("250.00"), "one_time",
         "$250 once"),
        ({"amount_choice": "other", "other_amount": "42.50"}, Decimal("42.50"), "monthly",
         "$42.50 every month"),
        ({"amount_choice": "other", "other_amount": "$1,000"}, Decimal("1000.00"), "monthly",
         "$1,000 every month"),
        ({"amount_choice": "other", "other_amount": "5"}, Decimal("5.00"), "monthly",
         "$5 every month"),
        ({"amount_choice": "other", "other_amount": "100000"}, Decimal("100000.00"), "monthly",
         "$100,000 every month"),
    ],
)
def test_valid_pledges(client, notify, django_capture_on_commit_callbacks, fields, amount,
                       frequency, words):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/partner/", pledge_form(**fields))
    assert response.status_code == 302 and response["Location"] == "/partner/thanks/"
    pledge = PartnerPledge.objects.get()
    assert (pledge.amount, pledge.frequency, pledge.status) == (amount, frequency, "new")
    assert re.fullmatch(r"P-[2-9A-HJKMNP-Z]{5}", pledge.reference)
    thanks = client.get("/partner/thanks/").content.decode()
    assert pledge.reference in thanks and words in thanks
    assert "will contact you within two working days" in thanks
    assert [m.to for m in delivered()] == [["lydia@example.org"], ["team@ministry.example"]]
    assert pledge.reference in delivered()[0].body and words in delivered()[0].body
    assert pledge.reference in delivered()[1].subject


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount_choice": "other", "other_amount": "0"}, "above zero"),
        ({"amount_choice": "other", "other_amount": "-20"}, "like 35, 42.50 or 1,000"),
        ({"amount_choice": "other", "other_amount": "4.99"}, "smallest gift we can set up is $5"),
        ({"amount_choice": "other", "other_amount": "100000.01"}, "over $100,000"),
        ({"amount_choice": "other", "other_amount": "fifty"}, "like 35, 42.50 or 1,000"),
        ({"amount_choice": "other", "other_amount": "NaN"}, "like 35, 42.50 or 1,000"),
        ({"amount_choice": "other", "other_amount": "10.555"}, "like 35, 42.50 or 1,000"),
        ({"amount_choice": "", "other_amount": ""}, "Please choose an amount"),
        ({"amount_choice": "999"}, "Select a valid choice"),
        ({"email": "not-an-email"}, "valid email address"),
        ({"email": ""}, "enter your email"),
        ({"first_name": "   "}, "enter your first name"),
        ({"last_name": ""}, "enter your last name"),
        ({"first_name": "L" * 51}, "50 characters"),
        ({"phone": "call me maybe"}, "phone number"),
        ({"website": "https://spam.example"}, "hidden field was filled in"),
        ({"frequency": "weekly"}, "Select a valid choice"),
        ({"state": "99999"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, db, fields, message):
    data = pledge_form(**fields)
    response = client.post("/partner/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for key in ("first_name", "last_name", "email", "other_amount"):
        if data[key] and len(data[key]) <= 100:
            assert f'value="{data[key]}"' in html, key
    assert not PartnerPledge.objects.exists()


def test_double_submit_shows_the_first_pledge(client, notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/partner/", pledge_form())
        response = client.post("/partner/", pledge_form(email="LYDIA@example.org"))
    assert PartnerPledge.objects.count() == 1
    assert response["Location"] == "/partner/thanks/"
    assert PartnerPledge.objects.get().reference in client.get("/partner/thanks/").content.decode()
    assert len(delivered()) == 2  # one pledge, one pair of mails
    # A different amount, or the same one after ten minutes, is a new pledge.
    client.post("/partner/", pledge_form(amount_choice="100"))
    PartnerPledge.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    client.post("/partner/", pledge_form())
    assert PartnerPledge.objects.count() == 3


def test_someone_elses_pledge_is_never_shown(client, db):
    client.post("/partner/", pledge_form(first_name="Victoria", email="victoria@example.org"))
    stranger = Client()
    stranger.post(
        "/partner/", pledge_form(first_name="Mallory", email="victoria@example.org")
    )
    page = stranger.get("/partner/thanks/").content.decode()
    assert "Mallory" in page and "Victoria" not in page
    assert PartnerPledge.objects.count() == 2


def test_behind_the_proxy_each_visitor_has_their_own_limit(client, db, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    statuses = [
        client.post("/partner/", pledge_form(email=f"v{i}@example.org"),
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(7)
    ]
    assert statuses == [302] * 7
    same = [
        client.post("/partner/", pledge_form(email=f"s{i}@example.org"),
                    HTTP_X_FORWARDED_FOR="198.51.100.9").status_code
        for i in range(6)
    ]
    assert same == [302] * 5 + [429]


def test_more_than_five_an_hour_from_one_address_gets_429(client, db):
    for i in range(5):
        client.post("/partner/", pledge_form(email=f"p{i}@example.org"))
    response = client.post("/partner/", pledge_form(email="sixth@example.org"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "several pledges from your connection" in html
    assert 'href="/contact/">contact us</a>' in html
    assert 'value="sixth@example.org"' in html
    assert PartnerPledge.objects.count() == 5
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert other_address.post("/partner/", pledge_form(email="x@example.org")).status_code == 302


def test_a_failing_mail_server_never_loses_the_pledge(client, notify, settings,
                                                      django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.comments.broken_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/partner/", pledge_form())
    assert len(callbacks) == 1  # mail waits for the commit
    assert response.status_code == 302
    assert PartnerPledge.objects.count() == 1
    assert "P-" in client.get("/partner/thanks/").content.decode()


def test_members_find_their_details_filled_in_and_see_their_pledges(client, db):
    ohio = State.objects.get(code="OH")
    member = make_member(email="ruth@example.org", display_name="Ruth Moab", home_state=ohio)
    client.force_login(member)
    html = client.get("/partner/").content.decode()
    assert 'value="Ruth"' in html and 'value="Moab"' in html
    assert 'value="ruth@example.org"' in html
    assert re.search(rf'<option value="{ohio.pk}" selected>Ohio</option>', html)
    client.post("/partner/", pledge_form(first_name="Ruth", last_name="Moab",
                                         email="ruth@example.org", state=ohio.pk))
    assert PartnerPledge.objects.get().member == member
    profile = client.get("/accounts/profile/").content.decode()
    assert "My partnership" in profile and "$50 every month" in profile


def test_thanks_page_needs_this_browsers_pledge(client, db):
    assert client.get("/partner/thanks/")["Location"] == "/partner/"
    client.post("/partner/", pledge_form())
    assert Client().get("/partner/thanks/").status_code == 302


def test_checkout_link_with_and_without_the_setting(client, db, settings):
    settings.PARTNER_CHECKOUT_URL = "https://give.example.org/checkout"
    client.post("/partner/", pledge_form(amount_choice="100"))
    html = client.get("/partner/thanks/").content.decode()
    pledge = PartnerPledge.objects.get()
    assert 'action="https://give.example.org/checkout"' in html
    assert f'name="reference" value="{pledge.reference}"' in html
    assert 'name="amount" value="100.00"' in html
    assert "will contact you within two working days" not in html
    settings.PARTNER_CHECKOUT_URL = ""
    html = client.get("/partner/thanks/").content.decode()
    assert "will contact you within two working days" in html and "give.example.org" not in html


def test_no_pledge_email_appears_on_public_pages(client, db):
    client.post("/partner/", pledge_form())
    for url in ["/", "/partner/", "/articles/", "/states/"]:
        assert "lydia@example.org" not in Client().get(url).content.decode()


def staff_client():
    client = Client()
    client.force_login(make_member(is_staff=True, is_superuser=True))
    return client


def test_admin_totals_filters_and_status_changes(db):
    texas = State.objects.get(code="TX")
    for amount, frequency, status in [(50, "monthly", "active"), (25, "monthly", "active"),
                                      (100, "one_time", "active"), (75, "monthly", "new")]:
        PartnerPledge.objects.create(
            reference=f"P-{amount}{frequency[0]}".upper()[:7], first_name="A", last_name="B",
            email="a@example.org", amount=amount, frequency=frequency, status=status, state=texas,
        )
    client = staff_client()
    html = client.get("/admin/partners/partnerpledge/").content.decode()
    assert "Active monthly partners: <strong>2</strong>, giving <strong>$75.00</strong>" in html
    # Before: new pledges showed nowhere, and the total read "$0.00 a month" while they waited.
    assert ("New monthly pledges waiting for follow-up: <strong>1</strong>, "
            "<strong>$75.00</strong>") in html
    response = client.get(
        "/admin/partners/partnerpledge/?status__exact=new&frequency__exact=monthly"
    )
    assert [p.amount for p in response.context["cl"].result_list] == [Decimal("75.00")]
    pledge = PartnerPledge.objects.get(amount=75)
    response = client.post(
        f"/admin/partners/partnerpledge/{pledge.pk}/change/",
        {"status": "contacted", "staff_note": "Called on Monday."},
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.staff_note) == ("contacted", "Called on Monday.")


def test_csv_export_is_safe_for_spreadsheets(db):
    pledge = PartnerPledge.objects.create(
        reference="P-ABCDE", first_name="=HYPERLINK(\"http://evil.example\")", last_name="+Smith",
        email="@home@example.org", phone="-5551234", amount=Decimal("42.50"),
        frequency="monthly", state=State.objects.get(code="TX"),
    )
    response = staff_client().post(
        "/admin/partners/partnerpledge/",
        {"action": "export_csv", "_selected_action": [pledge.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows
    assert header[1] == "created (America/New_York)"  # before: UTC, unnamed
    header[1] = "created"
    record = dict(zip(header, row, strict=True))
    assert record["first_name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert record["last_name"] == "'+Smith"
    assert record["email"] == "'@home@example.org" and record["phone"] == "'-5551234"
    assert record["amount"] == "42.50" and float(record["amount"]) == 42.5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00", record["created"])
    assert record["state"] == "TX"


def test_editors_cannot_see_pledges(client, db):
    from django.contrib.auth.models import Group

    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get("/admin/partners/partnerpledge/").status_code == 403


@pytest.mark.parametrize(
    "typed,stored",
    [("35", "35.00"), ("35.5", "35.50"), ("35.50", "35.50"), ("$35", "35.00"),
     ("1,000", "1000.00"), ("$1,000.00", "1000.00"), (" 42 ", "42.00"), ("12,345.67", "12345.67")],
)
def test_amounts_as_us_donors_write_them(client, db, typed, stored):
    response = client.post("/partner/", pledge_form(amount_choice="other", other_amount=typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PartnerPledge.objects.get().amount == Decimal(stored)


@pytest.mark.parametrize(
    "typed",
    ["25,50", "1e3", "1_000", "١٠٠", "３５", "1,00", "10,0000", "35.505", "+35", "35 dollars",
     "1 000", "$$35", ",35", "35.", "0x23"],
)
def test_amounts_in_any_other_shape_are_refused_clearly(client, db, typed):
    """Before: "25,50" was stored and confirmed as $2,550.00 a month; 1e3, 1_000 and
    Arabic-Indic digits were accepted."""
    response = client.post("/partner/", pledge_form(amount_choice="other", other_amount=typed))
    assert response.status_code == 400
    html = response.content.decode()
    assert "like 35, 42.50 or 1,000" in html
    assert f'value="{typed.strip()}"' in html or f'value="{typed}"' in html
    assert not PartnerPledge.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["Friend, your gift FAILED. Re-enter card at http://evil.example/pay", "Lydia2",
     "Ann <b>", "Ann: urgent", "Ann / Bob", "A" * 51],
)
def test_names_hold_only_what_names_hold(client, db, mailoutbox, name):
    response = client.post("/partner/", pledge_form(first_name=name))
    assert response.status_code == 400
    assert "letters, spaces, hyphens, apostrophes and periods" in response.content.decode() or (
        "50 characters" in response.content.decode()
    )
    assert not PartnerPledge.objects.exists() and delivered() == []


@pytest.mark.parametrize("name", ["Mary-Jane", "O'Brien", "J. R.", "José", "Иван", "李", "Zoë"])
def test_real_names_are_accepted(client, db, name):
    assert client.post("/partner/", pledge_form(first_name=name)).status_code == 302
    assert PartnerPledge.objects.get().first_name == name


def test_the_hourly_limit_counts_an_ipv6_network_as_one_address(client, db):
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}").post(
            "/partner/", pledge_form(email=f"v6-{n}@example.org")
        ).status_code
        for n in range(1, 7)
    ]
    assert statuses == [302] * 5 + [429]
    other = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert other.post("/partner/", pledge_form(email="next@example.org")).status_code == 302


def test_a_pledge_thanks_page_does_not_outlive_a_log_in_or_log_out(client, db):
    from tests.factories import DEFAULT_PASSWORD

    client.post("/partner/", pledge_form(first_name="Alice", amount_choice="250"))
    assert "Alice" in client.get("/partner/thanks/").content.decode()
    member = make_member(email="next@example.org")
    client.post("/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD})
    assert client.get("/partner/thanks/").status_code == 302
    client.post("/partner/", pledge_form(first_name="Bea", email="bea@example.org"))
    client.post("/accounts/logout/")
    assert client.get("/partner/thanks/").status_code == 302


def test_typing_mistakes_do_not_count_toward_the_hourly_limit(client, db):
    """Before: every attempt counted, so after a few mistakes a valid gift was refused."""
    for _ in range(8):
        assert client.post("/partner/", pledge_form(email="not-an-address")).status_code == 400
    assert client.post("/partner/", pledge_form()).status_code == 302
    assert PartnerPledge.objects.count() == 1


def test_a_typed_amount_never_silently_overrides_the_chosen_one(client, db):
    response = client.post("/partner/", pledge_form(amount_choice="50", other_amount="35"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "You chose $50 and also typed 35" in html
    assert 'class="field field-error"' in html  # the field is highlighted where it is
    assert not PartnerPledge.objects.exists()


def test_both_pages_say_truthfully_what_happens_after_signing_up(client, db, settings):
    settings.PARTNER_CHECKOUT_URL = ""
    assert "contact you within two working days" in client.get("/partner/").content.decode()
    client.post("/partner/", pledge_form())
    thanks = client.get("/partner/thanks/").content.decode()
    assert "contact you within two working days" in thanks and 'href="/contact/"' in thanks
    settings.PARTNER_CHECKOUT_URL = "https://give.example.org/checkout"
    assert "secure giving page" in Client().get("/partner/").content.decode()
