"""Uploaded photos served by the site itself (development, or DJANGO_SERVE_MEDIA=1):
a photo that is there is served; no other path under /media/ answers 500."""
import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st


@pytest.fixture
def media_served(settings, tmp_path):
    settings.SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "harvest.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    return tmp_path


def get(path):
    return Client(raise_request_exception=False).get(path)


def test_a_photo_is_served(media_served):
    response = get("/media/photos/harvest.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 a photo"


@pytest.mark.parametrize("path", [
    "/media/" + "a" * 5000,  # longer than a file name may be
    "/media/photos/" + "b" * 256 + ".jpg",
    "/media/" + "/".join(["c" * 200] * 30),  # longer than a path may be
    "/media/photos/%00.jpg",
    "/media/photos/harvest.jpg%00",
    "/media/../settings.py",
    "/media/%2e%2e/%2e%2e/etc/passwd",
    "/media/photos/",
    "/media/",
    "/media/photos/harvest.jpg/x",
    "/media/" + "é" * 3000,
    "/media/photos/%ff%fe.jpg",
])
def test_no_hostile_path_is_a_server_error(media_served, path):
    assert get(path).status_code in (400, 404)


@hypothesis_settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(codec="utf-8"), max_size=600).map(lambda s: s * 12))
def test_no_path_under_media_is_a_server_error(media_served, name):
    assert get("/media/" + name).status_code < 500


def test_without_serve_media_the_proxy_serves_photos(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "harvest.jpg").write_bytes(b"a photo")
    settings.SERVE_MEDIA = False
    assert get("/media/harvest.jpg").status_code == 404
