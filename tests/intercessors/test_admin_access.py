from tests.factories import make_member


def test_anonymous_admin_goes_to_site_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_members_never_reach_admin(client, member):
    client.force_login(member)
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302  # admin's own redirect to its login


def test_staff_log_in_to_admin_with_email(client, db):
    make_member(email="staff@example.org", password="staff-pass-long-1", is_staff=True)
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "staff@example.org", "password": "staff-pass-long-1", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
