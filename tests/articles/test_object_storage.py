"""Photos in an S3 bucket (MEDIA_STORAGE_URL), against a real S3-compatible server:
uploaded through the admin, each size stored with its type, served to readers at
the addresses the page gives, replaced and cleared as on disk, and carried through
a backup and its restore."""
import io
import re
import secrets
from html import unescape
from urllib.error import HTTPError

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image
from storages.backends.s3 import S3Storage

from articles.models import Article
from intercessors.settings import media_storage_settings
from tests.articles.test_admin import article_form, editor  # noqa: F401
from tests.articles.test_uploads import phone_photo, upload
from tests.intercessors.test_backups import (  # noqa: F401
    database_url,
    fresh_database,
    site_with_content,
    what_a_reader_finds,
)
from tests.intercessors.test_settings import run_manage
from tests.s3_server import fetch, s3_media, s3_server  # noqa: F401

TYPES = {"png": "image/png", "jpg": "image/jpeg"}


@pytest.fixture
def no_local_media(settings, tmp_path):
    """MEDIA_ROOT is an empty folder that must stay empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    yield settings.MEDIA_ROOT
    assert not any(settings.MEDIA_ROOT.iterdir())


def photo_addresses(html: str) -> dict[str, str]:
    img = re.search(r'<img src="([^"]+)" srcset="([^"]+)"', html)
    srcset = dict(reversed(entry.rsplit(" ", 1)) for entry in unescape(img[2]).split(", "))
    share = re.search(r'<meta property="og:image" content="([^"]+)"', html)
    return {"src": unescape(img[1]), "small": srcset["640w"], "large": srcset["1280w"],
            "share": unescape(share[1])}


def test_an_uploaded_photo_and_its_sizes_land_in_the_bucket_with_their_types(
        client, editor, s3_media, no_local_media):  # noqa: F811
    client.force_login(editor)
    response = upload(client, "harvest.png", phone_photo("PNG", size=(2000, 1500)))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()

    stored = s3_media.objects()
    folder = article.photo.name.rsplit("/", 1)[0]
    assert sorted(stored) == sorted(f"media/{folder}/{name}" for name in [
        "harvest.png", "harvest-small.png", "harvest-large.png", "harvest-share.jpg"])
    for key, content_type in stored.items():
        assert content_type == TYPES[key.rsplit(".", 1)[1]], key
    sizes = {}
    for name in ("photo", "photo_small", "photo_large", "photo_share"):
        with Image.open(io.BytesIO(s3_media.read(f"media/{getattr(article, name).name}"))) as made:
            sizes[name] = made.size
            assert not made.getexif()
    assert sizes == {"photo": (2000, 1500), "photo_small": (640, 480),
                     "photo_large": (1280, 960), "photo_share": (1200, 630)}


def test_the_page_gives_addresses_that_serve_those_bytes_to_anyone(
        client, editor, s3_media, settings):  # noqa: F811
    client.force_login(editor)
    assert upload(client, "harvest.jpg", phone_photo("JPEG", size=(1600, 900))).status_code == 302
    article = Article.objects.get()
    client.logout()

    html = client.get(article.get_absolute_url()).content.decode()
    addresses = photo_addresses(html)
    bucket_address = f"{s3_media.server.endpoint}/{s3_media.bucket}/media/"
    assert addresses == {
        "src": bucket_address + article.photo_large.name,
        "small": bucket_address + article.photo_small.name,
        "large": bucket_address + article.photo_large.name,
        "share": bucket_address + article.photo_share.name,
    }
    for kind, address in addresses.items():
        field = "photo_large" if kind == "src" else f"photo_{kind}"
        body, content_type = fetch(address)  # no credentials: as a reader's browser
        assert body == s3_media.read(f"media/{getattr(article, field).name}"), kind
        assert content_type == "image/jpeg"
    # Only the photos' prefix is public.
    s3_media.server.client.put_object(Bucket=s3_media.bucket, Key="private.txt", Body=b"x")
    with pytest.raises(HTTPError) as refused:
        fetch(f"{s3_media.server.endpoint}/{s3_media.bucket}/private.txt")
    assert refused.value.code == 403


def test_a_photo_replaced_or_cleared_in_the_admin_behaves_as_on_disk(
        client, editor, s3_media, no_local_media):  # noqa: F811
    client.force_login(editor)
    first = phone_photo("JPEG", size=(900, 600))
    assert upload(client, "harvest.jpg", first).status_code == 302
    article = Article.objects.get()
    old = {name: getattr(article, name).name
           for name in ("photo", "photo_small", "photo_large", "photo_share")}
    old_bytes = s3_media.read(f"media/{old['photo']}")
    change = f"/admin/articles/article/{article.pk}/change/"

    # A new photo of the same name: stored beside the old one, never over it.
    second = phone_photo("JPEG", size=(700, 700))
    response = client.post(change, {**article_form(),
                                    "photo": SimpleUploadedFile("harvest.jpg", second)})
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.photo.name != old["photo"]
    assert (article.photo_width, article.photo_height) == (700, 700)
    with Image.open(io.BytesIO(s3_media.read(f"media/{article.photo_large.name}"))) as made:
        assert made.size == (700, 700)
    assert s3_media.read(f"media/{old['photo']}") == old_bytes  # the old one is untouched
    assert len(s3_media.objects()) == 8  # as on disk, files are kept when replaced
    html = client.get(article.get_absolute_url()).content.decode()
    assert photo_addresses(html)["large"].endswith(article.photo_large.name)
    assert not any(name in html for name in old.values())

    # Cleared: the post shows no photo, and its sizes are forgotten.
    response = client.post(change, {**article_form(), "photo-clear": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert not article.photo and not article.photo_large and not article.photo_share
    assert article.photo_width is None
    html = client.get(article.get_absolute_url()).content.decode()
    assert "og:image" not in html and s3_media.bucket not in html


def test_a_backup_and_its_restore_carry_the_photos_through_the_bucket(
        settings, tmp_path, s3_server, s3_media, fresh_database, no_local_media):  # noqa: F811
    """Worth its 4 s (and, on PostgreSQL, the new database's drop): the operator's
    commands, in their own processes, reading MEDIA_STORAGE_URL as a server does,
    write the photos from one bucket into an archive and from it into another."""
    site_with_content()
    here = what_a_reader_finds("default")
    before = {key: s3_media.read(key) for key in s3_media.objects()}
    assert list(before) == ["media/photos/2026/12/harvest.jpg"]

    def manage(*args, database, storage_url):
        return run_manage(*args, DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                          DJANGO_ALLOWED_HOSTS="example.org", REDIS_URL="",
                          DATABASE_URL=database_url(database),
                          DJANGO_MEDIA_ROOT=str(no_local_media), MEDIA_STORAGE_URL=storage_url)

    made = manage("backup", "--to", str(tmp_path / "backups"),
                  database=connection.settings_dict, storage_url=s3_media.url)
    assert made.returncode == 0, made.stderr
    [archive] = (tmp_path / "backups").glob("intercessors-*.tar.gz")

    scratch = s3_server.new_bucket()
    back = manage("restore", str(archive), database=fresh_database,
                  storage_url=s3_media.url.replace(s3_media.bucket, scratch))
    assert back.returncode == 0, back.stderr
    assert "The counts match the manifest" in back.stdout
    assert what_a_reader_finds("restored") == here
    assert {key: s3_server.read(scratch, key) for key in s3_server.objects(scratch)} == before
    assert s3_server.objects(scratch) == {"media/photos/2026/12/harvest.jpg": "image/jpeg"}


# MEDIA_STORAGE_URL and MEDIA_PUBLIC_URL, read by the settings.

def test_an_s3_compatible_server_serves_photos_at_its_own_address():
    made = media_storage_settings(
        "s3://intercessors-media/site/photos?endpoint_url=http://127.0.0.1:9000/&region=eu-west-1")
    assert made["MEDIA_STORAGE"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = made["MEDIA_STORAGE"]["OPTIONS"]
    assert {key: options[key] for key in ("bucket_name", "location", "endpoint_url",
                                          "region_name", "file_overwrite", "querystring_auth")} \
        == {"bucket_name": "intercessors-media", "location": "site/photos",
            "endpoint_url": "http://127.0.0.1:9000", "region_name": "eu-west-1",
            "file_overwrite": False, "querystring_auth": False}
    assert made["MEDIA_URL"] == "http://127.0.0.1:9000/intercessors-media/site/photos/"
    assert made["MEDIA_ORIGIN"] == "http://127.0.0.1:9000"
    assert S3Storage(**options).url("photos/2026/12/a b.jpg") == (
        "http://127.0.0.1:9000/intercessors-media/site/photos/photos/2026/12/a%20b.jpg")


def test_behind_the_sites_proxy_photos_keep_their_addresses_on_the_site():
    made = media_storage_settings("s3://intercessors-media/media?region=us-east-2",
                                  "https://example.org/")
    options = made["MEDIA_STORAGE"]["OPTIONS"]
    assert options["endpoint_url"] is None and options["addressing_style"] is None
    assert S3Storage(**options).url("photos/2026/12/harvest.jpg") == (
        "https://example.org/media/photos/2026/12/harvest.jpg")
    assert made["MEDIA_ORIGIN"] == "https://example.org"
    # Amazon's own address when no other is given.
    assert media_storage_settings("s3://intercessors-media")["MEDIA_URL"] == (
        "https://intercessors-media.s3.us-east-1.amazonaws.com/")


@pytest.mark.parametrize("url,message", [
    ("https://intercessors-media/media", "scheme 'https' is not supported"),
    ("s3:///media?region=us-east-1", "names no valid bucket"),
    ("s3://Bad_Bucket/media", "names no valid bucket"),
    ("s3://key:secret@intercessors-media/media", "must not hold credentials"),
    ("s3://intercessors-media/media?endpoint=http://127.0.0.1:9000", "unknown options endpoint"),
    ("s3://intercessors-media?endpoint_url=127.0.0.1:9000", "is not an http(s) address"),
])
def test_a_bad_storage_url_stops_the_site_with_a_clear_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        media_storage_settings(url)


@pytest.mark.parametrize("url,public", [
    ("s3://intercessors-media?endpoint_url=https://key:secret@store.example.org", ""),
    ("s3://intercessors-media/media", "https://user:pass@photos.example.org/"),
])
def test_credentials_in_an_address_are_refused_and_never_repeated(url, public):
    with pytest.raises(ImproperlyConfigured, match="must not hold credentials") as refused:
        media_storage_settings(url, public)
    assert "secret" not in str(refused.value) and "pass@" not in str(refused.value)


def test_a_bad_public_address_stops_the_site_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_PUBLIC_URL"):
        media_storage_settings("s3://intercessors-media/media", "example.org/media")


@pytest.mark.parametrize("url,public", [
    # Credentials would be in every photo's address and every page's CSP header.
    ("s3://intercessors-media/media?endpoint_url=https://key:secret@minio.example.org", ""),
    ("s3://intercessors-media/media", "https://key:secret@photos.example.org/"),
    # A semicolon in the origin starts a directive of its own in the CSP header.
    ("s3://intercessors-media/media", "https://photos.example.org;script-src 'unsafe-inline'/"),
    ("s3://intercessors-media/media?region=us-east-1;script-src%20*", ""),
    ("s3://intercessors-media/media", "https://photos.example.org#top"),
    ("s3://intercessors-media/media", "https://photos.example.org:99999/"),
])
def test_an_address_that_is_not_a_plain_origin_stops_the_site(url, public):
    with pytest.raises(ImproperlyConfigured):
        media_storage_settings(url, public)


def test_the_settings_put_photos_in_the_bucket_and_let_pages_show_them():
    shown = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.MEDIA_URL, s.SERVE_MEDIA, "
        "' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))",
        DJANGO_DEBUG="1", DJANGO_SERVE_MEDIA="1",
        MEDIA_STORAGE_URL="s3://intercessors-media/media?endpoint_url=http://127.0.0.1:9000",
        MEDIA_PUBLIC_URL="https://photos.example.org/")
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "storages.backends.s3.S3Storage", "https://photos.example.org/media/", "False",
        "'self'", "data:", "https://photos.example.org"], shown.stderr

    local = run_manage("shell", "--no-imports", "-c",
                       "from django.conf import settings as s; "
                       "print(s.STORAGES['default']['BACKEND'], s.MEDIA_URL, s.SERVE_MEDIA)",
                       DJANGO_DEBUG="1")
    assert local.stdout.strip().splitlines()[-1].split() == [
        "django.core.files.storage.FileSystemStorage", "/media/", "True"], local.stderr
