"""A small, valid MP3 made here: MPEG-1 Layer III frames of silence (128 kbit/s,
44.1 kHz, mono), each 417 bytes and 1152 samples long, about 26 ms."""

FRAME_HEADER = bytes([0xFF, 0xFB, 0x90, 0xC0])
FRAME_BYTES = 417


def silent_mp3(seconds: float = 1.0) -> bytes:
    frames = max(1, round(seconds * 44100 / 1152))
    frame = FRAME_HEADER + bytes(FRAME_BYTES - len(FRAME_HEADER))
    return frame * frames


def m4a_head() -> bytes:
    """The first box of an MPEG-4 audio file: enough for the type check."""
    return b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isomiso2" + bytes(64)
