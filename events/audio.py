"""What an uploaded recording holds, told by its first bytes rather than its name."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MP3, M4A = "audio/mpeg", "audio/mp4"


def sniff(head: bytes) -> str | None:
    """The audio type of a file starting with `head`, or None."""
    if head[:3] == b"ID3":
        return MP3
    # An MPEG audio frame: eleven set sync bits, then layer III of MPEG 1, 2 or 2.5.
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (
            head[1] & 0x06) == 0x02 and (head[1] & 0x18) != 0x08:
        return MP3
    # An MP4 container: a box of type "ftyp" first, of an audio brand.
    if head[4:8] == b"ftyp" and head[8:12] in {b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41",
                                               b"dash", b"iso2", b"iso5", b"iso6"}:
        return M4A
    return None


def validate_audio(upload) -> None:
    size = upload.size
    if size > settings.EVENT_RECORDING_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; recordings may be at most %(limit)s.",
            params={"size": filesizeformat(size),
                    "limit": filesizeformat(settings.EVENT_RECORDING_MAX_BYTES)},
            code="too_large")
    upload.open("rb")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff(head) is None:
        raise ValidationError("This file is not MP3 or M4A audio. Export the recording "
                              "as MP3 (or M4A) and upload that.", code="not_audio")
