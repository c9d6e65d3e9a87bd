"""Post photos are real images, re-encoded, with nothing of the camera's left in them."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from tests.articles.test_admin import article_form, editor  # noqa: F401


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def phone_photo(fmt="JPEG", size=(64, 48)):
    """A photo as a phone writes it: with GPS coordinates in its EXIF data."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 26.0, 46.0)
    gps[3] = "W"
    gps[4] = (79.0, 58.0, 56.0)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    return buffer.getvalue()


def upload(client, name, content, **form):
    return client.post(
        "/admin/articles/article/add/",
        {**article_form(**form), "photo": SimpleUploadedFile(name, content)},
    )


def test_a_text_file_named_png_is_refused(client, editor):  # noqa: F811
    client.force_login(editor)
    response = upload(client, "notimage.png", b"just some text, not a picture")
    assert response.status_code == 200
    assert "Upload a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize("fmt,name", [("JPEG", "photo.jpg"), ("PNG", "photo.png"),
                                      ("WEBP", "photo.webp"), ("GIF", "photo.gif")])
def test_real_images_are_re_encoded_without_their_metadata(client, editor, fmt, name):  # noqa: F811
    client.force_login(editor)
    response = upload(client, name, phone_photo(fmt))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    with article.photo.open("rb") as file, Image.open(file) as stored:
        assert stored.size == (64, 48)
        assert not stored.getexif()
        assert "exif" not in stored.info and "gps" not in str(stored.info).lower()


def test_an_image_whose_name_lies_about_its_type_is_stored_under_its_real_type(
    client, editor  # noqa: F811
):
    client.force_login(editor)
    assert upload(client, "photo.gif", phone_photo("PNG")).status_code == 302
    article = Article.objects.get()
    assert article.photo.name.endswith(".png")
    with article.photo.open("rb") as file, Image.open(file) as stored:
        assert stored.format == "PNG"


def test_a_decompression_bomb_is_refused(client, editor, settings):  # noqa: F811
    client.force_login(editor)
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")  # a few KB, 400 megapixels
    response = upload(client, "huge.png", buffer.getvalue())
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not Article.objects.exists()


def test_a_photo_comes_in_phone_desktop_and_link_preview_sizes(client, editor, settings):  # noqa: F811
    client.force_login(editor)
    response = upload(client, "wide.jpg", phone_photo("JPEG", size=(2400, 1600)))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    sizes = {}
    for name in ("small", "large", "share"):
        with getattr(article, f"photo_{name}").open("rb") as file, Image.open(file) as made:
            sizes[name] = made.size
            assert not made.getexif()
    assert sizes == {"small": (640, 427), "large": (1280, 853), "share": (1200, 630)}
    html = client.get(article.get_absolute_url()).content.decode()
    # Width and height set, so the page does not jump as the picture arrives.
    assert (f'<img src="{article.photo_large.url}" srcset="{article.photo_small.url} 640w, '
            f'{article.photo_large.url} 1280w"') in html
    assert 'width="1280" height="853"' in html
    assert f'og:image" content="{settings.SITE_URL}{article.photo_share.url}"' in html
