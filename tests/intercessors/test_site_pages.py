"""About, contact and privacy: pages staff write in admin, linked from every page."""
from django.contrib.auth.models import Group
from django.test import Client

from intercessors.models import SitePage
from tests.factories import make_member


def test_the_ministrys_pages_are_there_and_linked_from_every_page(client, db):
    for path, words in [("/about/", "ordinary people who pray"),
                        ("/contact/", "(555) 010-2030"),
                        ("/privacy/", "What we keep, and why")]:
        response = client.get(path)
        assert response.status_code == 200 and words in response.content.decode(), path
    footer = client.get("/articles/").content.decode()
    for path in ["/about/", "/contact/", "/privacy/"]:
        assert f'href="{path}"' in footer


def test_the_privacy_page_says_what_the_partner_form_and_accounts_keep(client, db):
    html = client.get("/privacy/").content.decode()
    assert "The partner form." in html and "Your account." in html
    assert "never ask for or keep" in html


def test_the_privacy_page_speaks_of_requests_subscriptions_and_who_delivers_mail(client, db):
    html = client.get("/privacy/").content.decode()
    for words in ("Prayer requests.", "illness", "delete it at any time",
                  "Prayer updates by email.", "one click",
                  "Who delivers our email", "mail delivery service",
                  "bounces", "30 days"):
        assert words in html, words


def test_a_privacy_page_staff_rewrote_is_left_as_they_wrote_it(db):
    import importlib

    from django.apps import apps

    SitePage.objects.filter(kind="privacy").update(body="Our own words.", body_html="<p>x</p>")
    module = importlib.import_module("intercessors.migrations.0009_privacy_requests_and_mail")
    module.rewrite(apps, None)
    assert SitePage.objects.get(kind="privacy").body == "Our own words."


def test_editors_change_the_text_in_admin_and_readers_see_it_at_once(db):
    editor = make_member(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    staff = Client()
    staff.force_login(editor)
    reader = Client()
    assert "PO Box 1000" in reader.get("/contact/").content.decode()
    page = SitePage.objects.get(kind="contact")
    response = staff.post(f"/admin/intercessors/sitepage/{page.pk}/change/",
                          {"title": "Contact us", "body": "Write to **PO Box 2000**."})
    assert response.status_code == 302
    html = reader.get("/contact/").content.decode()
    assert "<strong>PO Box 2000</strong>" in html
    assert staff.get("/admin/intercessors/sitepage/add/").status_code == 403
