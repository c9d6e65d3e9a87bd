from django.test import RequestFactory
from django.views.defaults import server_error

from states.models import State


def test_home_page_has_layout_and_navigation(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    for label, url in [("Prayer posts", "/articles/"), ("States", "/states/"),
                       ("Partner with Us", "/partner/")]:
        assert f'href="{url}"' in html and label in html
    assert "Log in" in html and "Sign up" in html
    assert "<script>" not in html


def test_home_page_for_member_shows_name_and_post_logout(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Hannah P." in html
    assert 'action="/accounts/logout/"' in html and 'method="post"' in html
    assert member.email not in html


def test_security_headers(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_unknown_page_is_a_styled_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'class="site-header"' in html


def test_500_page_renders_without_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_states_index_lists_51_states(client, db):
    response = client.get("/states/")
    assert response.status_code == 200
    assert response.content.decode().count('<abbr title=') == 51


def test_state_page_and_unknown_state(client, member):
    texas = State.objects.get(code="TX")
    member.home_state = texas
    member.save()
    response = client.get("/states/texas/")
    assert response.status_code == 200
    assert "Pray for Texas" in response.content.decode()
    assert "1 member calls Texas home" in response.content.decode()
    assert client.get("/states/atlantis/").status_code == 404


def test_partner_page_shows_tax_notice(client, db, settings):
    response = client.get("/partner/")
    assert response.status_code == 200
    assert "501(c)(3)" in response.content.decode()


def test_favicon_redirects_to_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


def test_method_not_allowed_gets_a_readable_page(client, db):
    response = client.get("/prayers/1/prayed/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "only works from a button" in response.content.decode()
    assert client.post("/healthz").status_code == 405


def test_header_has_a_search_box(client, db):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'name="q"' in html


def test_admin_pages_carry_the_same_strict_policy(client, db):
    from tests.factories import make_member

    client.force_login(make_member(is_staff=True, is_superuser=True))
    response = client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in ["default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "form-action 'self'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def _menu(html):
    return html.split('<details class="header-menu">', 1)[1].split("</details>", 1)[0]


def test_the_phone_menu_holds_every_header_link_for_each_reader(client, member, settings):
    settings.PAGE_CACHE = True
    sections = ["/articles/", "/prayers/requests/", "/states/", "/partner/", "/search/"]
    guest = _menu(client.get("/articles/").content.decode())
    assert all(f'href="{url}"' in guest for url in sections)
    assert "Log in" in guest and "Sign up" in guest and "Ask for prayer" not in guest

    client.force_login(member)  # the same shared render, filled for the member
    mine = _menu(client.get("/articles/").content.decode())
    assert all(f'href="{url}"' in mine for url in sections)
    for link in ['href="/prayers/requests/new/"', 'href="/accounts/prayers/"',
                 'href="/accounts/profile/"', 'action="/accounts/logout/"']:
        assert link in mine
    assert "Log in" not in mine and "Hannah" not in mine
