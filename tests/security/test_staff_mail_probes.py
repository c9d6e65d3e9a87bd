"""Attacks on staff-side mail: the confirmation before sending, stopping, the
preview, Editors' view of the outbox, mailing text and Django's mail through the
outbox. Forged or partial requests send nothing, and Editors reach no security
mail and no whole address."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail as django_mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from library.mail import outbox
from library.models import OutboxMessage
from library.text.markup import markdown_to_text, render_markdown
from states.models import State
from tests.factories import make_member
from updates import mailings
from updates.models import Mailing, Subscriber

SITE = "https://intercessors.example"


def reader(email, **choices):
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **choices)


def letter(**fields):
    fields = {"subject": "Pray for Texas", "body": "Storms are coming.", "audience": "state",
              "state": State.objects.get(code="TX"), **fields}
    mailing = Mailing.objects.create(**fields)
    mailings.render(mailing)
    mailing.save()
    return mailing


def logged_in(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


def editor_member(**extra):
    member = make_member(is_staff=True, **extra)
    member.groups.add(Group.objects.get(name="Editors"))
    return member


def shown_fields(client, mailing):
    page = client.get(f"/admin/updates/mailing/{mailing.pk}/send/").content.decode()
    return dict(re.findall(r'name="(confirm|shown)" value="([^"]*)"', page))


def sent():
    return OutboxMessage.objects.filter(kind="updates/email/mailing").exclude(batch_key="")


@pytest.fixture
def texan(db):
    return reader("texan@example.org", state=State.objects.get(code="TX"))


# The confirmation before sending.

@pytest.mark.parametrize("form", [
    {}, {"confirm": "1"}, {"shown": "x"}, {"confirm": "01", "shown": None},
    {"confirm": " 1", "shown": None}, {"confirm": "1.0", "shown": None},
    {"confirm": "1", "shown": ""}, {"confirm": "", "shown": None},
])
def test_a_forged_or_partial_confirmation_sends_nothing(texan, form):
    mailing = letter()
    staff = logged_in(editor_member())
    real = shown_fields(staff, mailing)
    form = {k: real["shown"] if v is None else v for k, v in form.items()}
    response = staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", form)
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == "draft" and not sent().exists()


def test_a_get_with_the_confirmation_in_its_query_sends_nothing(texan):
    mailing = letter()
    staff = logged_in(editor_member())
    fields = shown_fields(staff, mailing)
    for method in ("get", "head", "options", "put", "delete"):
        getattr(staff, method)(f"/admin/updates/mailing/{mailing.pk}/send/?confirm="
                               f"{fields['confirm']}&shown={fields['shown']}")
    staff.get(f"/admin/updates/mailing/{mailing.pk}/unschedule/")
    mailing.refresh_from_db()
    assert mailing.status == "draft" and not sent().exists()


def test_a_confirmation_without_the_csrf_token_sends_nothing(texan):
    mailing = letter()
    staff = logged_in(editor_member(), enforce_csrf_checks=True)
    fields = shown_fields(staff, mailing)
    assert staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields).status_code == 403
    mailing.refresh_from_db()
    assert mailing.status == "draft"


def test_a_confirmation_for_one_mailing_does_not_send_another(texan):
    first, second = letter(), letter(subject="Another letter")
    staff = logged_in(editor_member())
    fields = shown_fields(staff, first)
    staff.post(f"/admin/updates/mailing/{second.pk}/send/", fields)
    second.refresh_from_db()
    assert second.status == "draft"


def test_a_confirmation_for_a_time_since_changed_sends_nothing(texan):
    mailing = letter(send_at=timezone.now() + timedelta(days=1))
    staff = logged_in(editor_member())
    fields = shown_fields(staff, mailing)
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now() + timedelta(days=2))
    staff.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields)
    mailing.refresh_from_db()
    assert mailing.status == "draft"


def test_staff_who_may_only_view_mailings_cannot_send_stop_or_test(texan):
    viewer = make_member(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mailing"))
    mailing = letter()
    editor = logged_in(editor_member())
    fields = shown_fields(editor, mailing)
    client = logged_in(viewer)
    assert client.get(f"/admin/updates/mailing/{mailing.pk}/send/").status_code == 403
    assert client.post(f"/admin/updates/mailing/{mailing.pk}/send/", fields
                       ).status_code == 403
    assert client.post(f"/admin/updates/mailing/{mailing.pk}/test/").status_code == 403
    assert client.get(f"/admin/updates/mailing/{mailing.pk}/preview/").status_code == 200
    scheduled = letter(send_at=timezone.now() + timedelta(days=1))
    mailings.start(scheduled)
    assert client.post(f"/admin/updates/mailing/{scheduled.pk}/unschedule/"
                       ).status_code == 403
    scheduled.refresh_from_db()
    mailing.refresh_from_db()
    assert (mailing.status, scheduled.status) == ("draft", "scheduled")
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "member", "staff without mailings"])
def test_outsiders_and_members_reach_none_of_a_mailings_pages(texan, who):
    mailing = letter()
    scheduled = letter(send_at=timezone.now() + timedelta(days=1))
    mailings.start(scheduled)
    fields = shown_fields(logged_in(editor_member()), mailing)
    client = {"anonymous": lambda: Client(),
              "member": lambda: logged_in(make_member()),
              "staff without mailings": lambda: logged_in(make_member(is_staff=True))}[who]()
    for suffix in ("send/", "preview/", "preview/email/", "test/", "unschedule/"):
        for method in ("get", "post"):
            for pk in (mailing.pk, scheduled.pk):
                response = getattr(client, method)(f"/admin/updates/mailing/{pk}/{suffix}",
                                                   fields if suffix == "send/" else {})
                assert response.status_code in (302, 403, 404, 405), (suffix, method)
                if response.status_code == 302:
                    assert "/login/" in response.url
                assert "Storms are coming" not in response.content.decode()
    mailing.refresh_from_db()
    scheduled.refresh_from_db()
    assert (mailing.status, scheduled.status) == ("draft", "scheduled")
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.0", "%00"])
def test_odd_mailing_ids_answer_without_an_error(db, pk):
    staff = logged_in(editor_member(), raise_request_exception=False)
    for suffix in ("send/", "preview/", "preview/email/", "unschedule/", "test/"):
        for method in ("get", "post"):
            response = getattr(staff, method)(f"/admin/updates/mailing/{pk}/{suffix}")
            assert response.status_code in (302, 404, 405), (pk, suffix, method)


# The preview.

HOSTILE_BODY = ("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
                '<meta http-equiv="refresh" content="0;url=https://evil.example/">\n\n'
                "[a](javascript:alert(1)) [b](//evil.example) [c](/\\evil.example)")


def test_the_preview_email_runs_no_script_and_shows_written_html_as_text(db):
    mailing = letter(body=HOSTILE_BODY, subject="<b>Subject</b>")
    staff = logged_in(editor_member())
    response = staff.get(f"/admin/updates/mailing/{mailing.pk}/preview/email/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert re.search(r"(^|;)\s*sandbox\s*(;|$)", policy)
    assert "allow-scripts" not in policy and "allow-same-origin" not in policy
    html = response.content.decode()
    for unsafe in ("<script", "<img src=x", "<meta http-equiv", "javascript:", "<b>Subject"):
        assert unsafe not in html, unsafe
    assert 'href="//evil.example"' in html  # a link off the site, as any other
    assert f'href="{SITE}/' in html or "/\\evil.example" in html


# Mailing text.

@pytest.mark.parametrize("href,expected", [
    ("//evil.example", "//evil.example"),
    ("/\\evil.example", f"{SITE}/\\evil.example"),
    ("/states/texas/", f"{SITE}/states/texas/"),
    ("/@evil.example", f"{SITE}/@evil.example"),
])
def test_site_url_writes_only_a_path_of_the_site_in_full(href, expected):
    html = render_markdown(f"[x]({href})", site_url=SITE)
    assert f'href="{expected}"' in html


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                  "java\tscript:alert(1)", "&#106;avascript:alert(1)",
                                  "data:text/html,x", "vbscript:x", "/\u202e/x",
                                  '/a" onmouseover="alert(1)'])
def test_no_script_link_gets_through_with_a_site_url(href):
    html = render_markdown(f"[x]({href})", line_breaks=True, site_url=SITE)
    assert "javascript" not in html.lower() and "data:" not in html
    assert "vbscript" not in html and "onmouseover=\"" not in html
    assert "javascript" not in markdown_to_text(f"[x]({href})", site_url=SITE).lower()


@pytest.mark.parametrize("text", [
    "x" * 200_000,
    "[a](https://e.org/" + "(" * 5_000 + ")" * 5_000 + ")",
    "\n".join(("  " * n) + "- item" for n in range(300)),
    "> " * 2_000 + "quote",
    "1. " * 5_000,
    "&amp;&lt;&#0;&#x110000;&#xD800;&nbsp;&unknown; " * 2_000,
    "[link (with) parens](https://e.org/a_(b)_c) and (https://e.org/(x))",
    "[" * 10_000 + "](" * 10_000,
    "*" * 50_000,
    "`" * 50_000,
    "\x00\x1b\ufdd0\ud800 text",
])
def test_hostile_mailing_text_renders_without_error(text):
    html = render_markdown(text, line_breaks=True, site_url=SITE)
    plain = markdown_to_text(text, line_breaks=True, site_url=SITE)
    assert isinstance(html, str) and isinstance(plain, str)
    assert "<script" not in html


def test_a_hostile_mailing_saves_previews_and_sends_without_error(texan):
    body = ("&lt;script&gt; " * 500 + "\n\n" + "\n".join("  " * n + "- [x](/a_(b))"
                                                       for n in range(50)))
    mailing = letter(body=body)
    staff = logged_in(editor_member(), raise_request_exception=False)
    for suffix in ("preview/", "preview/email/", "change/", "send/"):
        assert staff.get(f"/admin/updates/mailing/{mailing.pk}/{suffix}").status_code == 200
    assert staff.post(f"/admin/updates/mailing/{mailing.pk}/test/").status_code == 302


# Editors' view of the outbox.

@pytest.fixture
def outbox_mail(db):
    copy = outbox.record(kind="updates/email/mailing", to="reader@example.org",
                         subject="Pray for Texas", body="leave: /updates/leave/SECRET",
                         batch_key="mailing-1:1")
    security = outbox.record(kind="account/email/password_reset_key", to="victim@example.org",
                             subject="Reset", body="/accounts/password/reset/key/SECRETKEY",
                             keeps=OutboxMessage.Keeps.ENVELOPE)
    notice = outbox.record(kind="comments/email/reply", to="ruth@example.org",
                           subject="A reply", body="NOTICE-BODY")
    # A security mail recorded under a bulk kind name (a header set by a caller).
    disguised = outbox.record(kind="updates/email/mailing", to="hidden@example.org",
                              subject="Reset", body="SECRETKEY2",
                              keeps=OutboxMessage.Keeps.ENVELOPE)
    return {"copy": copy, "security": security, "notice": notice, "disguised": disguised}


LIST = "/admin/library/outboxmessage/"


@pytest.mark.parametrize("query", [
    {}, {"kind__exact": "account/email/password_reset_key"}, {"kind": "comments/email/reply"},
    {"q": "victim"}, {"q": "reader"}, {"to": "victim@example.org"},
    {"to__contains": "victim"}, {"body__contains": "SECRET"}, {"keeps": "envelope"},
    {"keeps__exact": "envelope"}, {"member__email": "x"}, {"o": "3"}, {"o": "-3.1"},
    {"_to_field": "body"}, {"status__exact": "failed"}, {"created_at__year": "2000"},
    {"e": "1"}, {"all": ""}, {"kind__in": "account/email/password_reset_key"},
])
def test_editors_reach_no_security_mail_nor_a_whole_address_by_list_queries(
        outbox_mail, query):
    editor = logged_in(editor_member(), raise_request_exception=False)
    response = editor.get(LIST, query)
    assert response.status_code in (200, 302, 400), query
    page = response.content.decode()
    for secret in ("victim@", "ruth@", "hidden@", "reader@example.org", "SECRET", "NOTICE-BODY",
                   "Password reset link", "Reply to a comment"):
        assert secret not in page, (query, secret)


@pytest.mark.parametrize("which", ["security", "notice", "disguised"])
def test_editors_reach_no_security_mail_by_its_own_urls(outbox_mail, which):
    editor = logged_in(editor_member(), raise_request_exception=False)
    pk = outbox_mail[which].pk
    for url in (f"{LIST}{pk}/change/", f"{LIST}{pk}/history/", f"{LIST}{pk}/delete/",
                f"{LIST}{pk}/", f"{LIST}{pk}/try-again/",
                "/admin/autocomplete/?app_label=library&model_name=outboxmessage"
                "&field_name=id&term=victim"):
        for method in ("get", "post"):
            response = getattr(editor, method)(url)
            assert response.status_code in (302, 403, 404, 405), (url, method)
            page = response.content.decode()
            for secret in ("victim@", "ruth@", "hidden@", "SECRET", "NOTICE-BODY"):
                assert secret not in page, (url, method, secret)


def test_an_editor_sees_no_whole_address_on_a_copys_pages(outbox_mail):
    editor = logged_in(editor_member())
    pk = outbox_mail["copy"].pk
    for url in (f"{LIST}{pk}/change/", f"{LIST}{pk}/history/", LIST, "/admin/"):
        page = editor.get(url).content.decode()
        assert "reader@example.org" not in page and "SECRET" not in page, url


# Django's mail through the outbox.

def test_each_recipient_of_a_django_mail_is_one_row_and_the_html_is_kept(db):
    message = EmailMultiAlternatives("Hello", "text", "from@example.org", ["to@example.org"],
                                     cc=["cc@example.org"], bcc=["bcc@example.org"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.send()
    html_only = EmailMessage("Only html", "<p>only</p>", "from@example.org",
                             ["h@example.org"])
    html_only.content_subtype = "html"
    html_only.send()
    rows = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(rows) == {"to@example.org", "cc@example.org", "bcc@example.org",
                         "h@example.org"}
    assert all(rows[a].html == "<p>html</p>" and rows[a].body == "text"
               for a in ("to@example.org", "cc@example.org", "bcc@example.org"))
    assert (rows["h@example.org"].body, rows["h@example.org"].html) == ("", "<p>only</p>")
    assert all(m.keeps == "envelope" for m in rows.values())
    # No copy names the blind copy's address.
    for row in rows.values():
        assert "bcc@example.org" not in str(row.headers)
    django_mail.outbox.clear()
    outbox.deliver_waiting()
    assert {tuple(m.to) for m in django_mail.outbox} == {
        ("to@example.org",), ("cc@example.org",), ("bcc@example.org",), ("h@example.org",)}
    assert all(not m.bcc for m in django_mail.outbox)


def test_a_kind_header_cannot_make_account_mail_readable_to_editors(db):
    EmailMessage("Reset", "/accounts/password/reset/key/KEY", "from@example.org",
                 ["victim@example.org"],
                 headers={"X-Site-Mail-Kind": "updates/email/mailing"}).send()
    editor = logged_in(editor_member())
    assert "victim@" not in editor.get(LIST).content.decode()
