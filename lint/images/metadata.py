"""Orientation held outside EXIF: XMP's ``tiff:Orientation`` and the raw EXIF profile that
ImageMagick writes into a PNG text chunk. Few decoders look there, but it is rotation
information all the same (domain §5: a warning for values 2 to 8)."""

from __future__ import annotations

import re
import zlib

from metalint.images.tiff import exif_orientation

XMP_JPEG_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
"""How an APP1 segment holding XMP starts."""
XMP = "XMP (tiff:Orientation)"
RAW_PROFILE = "a PNG text chunk of raw EXIF ('Raw profile type exif')"

_XMP_ORIENTATION = re.compile(rb"tiff:Orientation\s*(?:=\s*[\"']\s*|>\s*)(\d{1,5})")
_PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
_PNG_RAW_KEYWORDS = (b"Raw profile type exif", b"Raw profile type APP1")
PNG_TEXT_KEYWORD_BYTES = 80
"""A PNG text chunk's keyword is 1 to 79 bytes and a NUL: enough to tell whether to read on."""
_MAX_TEXT = 1 << 20
"""A compressed text chunk is inflated to at most this much (its metadata is far smaller)."""


def xmp_orientation(xmp: bytes) -> int | None:
    match = _XMP_ORIENTATION.search(xmp)
    return int(match.group(1)) if match else None


def png_text_wanted(head: bytes) -> bool:
    """Whether a tEXt, zTXt or iTXt chunk that starts with ``head`` may hold an orientation."""
    keyword = head.partition(b"\x00")[0]
    return keyword == _PNG_XMP_KEYWORD or keyword in _PNG_RAW_KEYWORDS


def png_text_orientation(kind: bytes, data: bytes) -> tuple[int, str] | None:
    """The orientation in a PNG text chunk and where it was, None when it holds none."""
    keyword, _, rest = data.partition(b"\x00")
    text = _png_text(kind, rest)
    if text is None:
        return None
    if keyword == _PNG_XMP_KEYWORD:
        value = xmp_orientation(text)
        return None if value is None else (value, XMP)
    value = _raw_profile_orientation(text)
    return None if value is None else (value, RAW_PROFILE)


def _png_text(kind: bytes, rest: bytes) -> bytes | None:
    compressed = False
    if kind == b"zTXt":
        compressed, rest = True, rest[1:]
    elif kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        rest = rest[2:].split(b"\x00", 2)[-1]  # after the language tag and translated keyword
    if not compressed:
        return rest
    try:
        return zlib.decompressobj().decompress(rest, _MAX_TEXT)
    except zlib.error:
        return None


def _raw_profile_orientation(text: bytes) -> int | None:
    """ImageMagick's layout: a newline, the profile's name, its length, then hexadecimal
    digits in lines."""
    lines = text.strip().split(b"\n")
    if len(lines) < 3:
        return None
    try:
        blob = bytes.fromhex(b"".join(lines[2:]).decode("ascii"))
    except ValueError:
        return None
    return exif_orientation(blob)
