"""Uploaded pictures made safe: only a real JPEG, PNG, WebP or GIF is accepted, and
what is stored is a fresh encoding of its pixels, so nothing the camera or an
attacker put beside them (GPS position, comments, a script) is kept."""
import io
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's name for a format → how it is stored.
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp"), "GIF": ("gif", "image/gif")}
MAX_PIXELS = 40_000_000  # a 50-megapixel phone photo is 8,160 × 6,120; this is ample
NOT_AN_IMAGE = "Upload a JPEG, PNG, WebP or GIF image; that file is not one."
TOO_LARGE = "That image is too large: please upload one of at most 40 megapixels."


def clean_image(upload) -> SimpleUploadedFile:
    """The upload re-encoded in its own format, turned upright, without metadata."""
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise ValidationError(NOT_AN_IMAGE)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(TOO_LARGE)
            kind = image.format
            image.load()
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        raise ValidationError(TOO_LARGE) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(NOT_AN_IMAGE) from error

    keeps_alpha = kind != "JPEG" and (
        upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    )
    # A new image holding only the pixels: no EXIF, ICC, XMP or text chunks.
    pixels = upright.convert("RGBA" if keeps_alpha else "RGB")
    fresh = Image.new(pixels.mode, pixels.size)
    fresh.paste(pixels)
    out = io.BytesIO()
    options = {"quality": 85, "optimize": True} if kind in ("JPEG", "WEBP") else {}
    fresh.save(out, format=kind, **options)
    extension, content_type = FORMATS[kind]
    stem = PurePath(getattr(upload, "name", "") or "photo").stem[:80] or "photo"
    return SimpleUploadedFile(f"{stem}.{extension}", out.getvalue(), content_type)


class ImageUploadField(forms.FileField):
    """A form's file field that takes only images, and hands on the cleaned one."""

    def to_python(self, data):
        upload = super().to_python(data)
        return clean_image(upload) if upload else upload


# Sizes made from every photo: a phone's width, a desktop's, and the 1200 × 630
# picture that link previews (Facebook, X, messages) show.
WIDTHS = {"small": 640, "large": 1280}
SHARE = (1200, 630)


def renditions(stored) -> dict:
    """The photo at each size: {"small": (file, width, height), "large": …, "share": …}.
    Never larger than the original; the share picture is cropped to its shape."""
    with Image.open(stored) as image:
        image.load()
        kind = image.format if image.format in FORMATS else "JPEG"
        pixels = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") and kind != "JPEG"
                               else "RGB")
    stem = PurePath(stored.name).stem
    made = {}
    for name, width in WIDTHS.items():
        copy = pixels.copy()
        if copy.width > width:
            copy = copy.resize((width, round(copy.height * width / copy.width)), Image.LANCZOS)
        made[name] = (_encode(copy, kind, f"{stem}-{name}"), copy.width, copy.height)
    share = ImageOps.fit(pixels.convert("RGB"), SHARE, Image.LANCZOS)
    made["share"] = (_encode(share, "JPEG", f"{stem}-share"), *SHARE)
    return made


def _encode(image, kind, stem) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format=kind, **({"quality": 82, "optimize": True}
                                    if kind in ("JPEG", "WEBP") else {}))
    extension, content_type = FORMATS[kind]
    return SimpleUploadedFile(f"{stem}.{extension}", out.getvalue(), content_type)
