"""Decoding an image's pixels: Pillow's second opinion before a file is called corrupt, and
the deep check (``--deep-images``). Worker code only: Pillow is imported on first use, so the
header path never pays for it."""

from __future__ import annotations

import os
import struct
import warnings
import zlib
from dataclasses import replace
from typing import BinaryIO

from metalint.images.model import BOMB_PIXELS, SUPPORTED_FORMATS, Content

_MAX_FRAMES = 1000
"""Frames of an animation decoded at most: a hostile file could hold millions of tiny ones."""


def check_pixels(fd: int, size: int, content: Content, *, deep: bool) -> Content:
    """``content`` as the header readers gave it, corrected by decoding the file: a file
    whose structure looked corrupt but which Pillow decodes fully is only damaged; damage that
    Pillow cannot decode past is corruption; with ``deep``, every image is decoded and the
    outcome kept in ``decoded`` and ``undecodable``."""
    if not (deep or content.corrupt or content.damage) or not _decodable(content):
        return content
    with os.fdopen(os.dup(fd), "rb") as file:
        failure = decode(file)
        if deep and failure is None and content.format in _CHECKED_DATA:
            failure = compressed_data_damage(content.format, os.pread(fd, size, 0))
        if content.corrupt is not None:
            if failure is not None:
                return replace(content, decoded=deep)
            if content.width is None:
                content = _with_pillows_header(content, file)
            return replace(content, corrupt=None, damage=content.corrupt, decoded=deep)
    if content.damage is not None and failure is not None:
        return replace(content, corrupt=f"{content.damage}, and {failure}", damage=None)
    return replace(content, decoded=deep, undecodable=failure if deep else None)


def _decodable(content: Content) -> bool:
    """Whether decoding is worth trying: a format the service takes, and no bomb."""
    if content.format not in SUPPORTED_FORMATS:
        return False
    for width, height in (
        (content.width, content.height),
        (content.canvas_width, content.canvas_height),
    ):
        if width is not None and height is not None and width * height > BOMB_PIXELS:
            return False
    return True


def decode(file: BinaryIO) -> str | None:
    """None when Pillow decodes every frame of the image in ``file``; otherwise what stopped
    it. Pillow's decompression-bomb warning counts as a failure: nothing that large is
    decoded."""
    from PIL import Image

    with warnings.catch_warnings():
        # Pillow warns about what it skips over (a tag past the end, a short read) and goes
        # on: only whether it gets the pixels counts, and its bomb warning is an answer.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            file.seek(0)
            with Image.open(file) as image:
                if image.width == 0 or image.height == 0:
                    return f"Pillow reads it as {image.width}x{image.height} pixels"
                for frame in range(min(getattr(image, "n_frames", 1), _MAX_FRAMES)):
                    image.seek(frame)
                    image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return "Pillow refuses it as a decompression bomb"
        except Exception as exc:
            # Whatever a decoder raises (OSError, SyntaxError, ValueError, struct.error, ...)
            # means the same here: the pixels cannot be had.
            return f"Pillow cannot decode it ({_describe(exc)})"
    return None


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _with_pillows_header(content: Content, file: BinaryIO) -> Content:
    """``content`` with the size and orientation Pillow reads, for a file whose header the
    readers could not parse but Pillow could."""
    from PIL import Image

    file.seek(0)
    with Image.open(file) as image:
        orientation = image.getexif().get(0x0112)
        return replace(
            content,
            width=image.width,
            height=image.height,
            orientation=orientation if isinstance(orientation, int) else None,
        )


_CHECKED_DATA = frozenset({"PNG", "JPEG"})


def compressed_data_damage(fmt: str | None, data: bytes) -> str | None:
    """Damage in the compressed data that decoders pass over without an error: a PNG chunk
    whose checksum fails (Pillow does not check those of IDAT), a JPEG whose entropy-coded
    data holds a marker that cannot be there (libjpeg only warns, and fills the rest grey)."""
    if fmt == "PNG":
        return _png_checksums(data)
    if fmt == "JPEG":
        return _jpeg_entropy_markers(data)
    return None


def _png_checksums(data: bytes) -> str | None:
    offset = 8
    while offset + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, offset)
        end = offset + 12 + length
        if end > len(data):
            return None  # the header readers report a cut file
        (stored,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[offset + 4 : end - 4]) != stored:
            name = kind.decode("latin-1")
            return f"the checksum of the {name} chunk at byte {offset} does not match its data"
        if kind == b"IEND":
            return None
        offset = end
    return None


_RESTARTS = frozenset(range(0xD0, 0xD8))
_BETWEEN_SCANS = frozenset({0xC4, 0xCC, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE, *range(0xE0, 0xF0)})
"""Markers with a length that may stand between the scans of a progressive JPEG."""


def _jpeg_entropy_markers(data: bytes) -> str | None:
    """Walk the scans: inside entropy-coded data a byte FF is followed by 00 (a stuffed FF),
    a restart marker in sequence, or a marker that ends the scan."""
    offset = _first_scan(data)
    expected_restart = 0
    while offset is not None and offset < len(data):
        at = data.find(b"\xff", offset)
        if at < 0 or at + 1 >= len(data):
            return None  # no EOI: the header readers report that
        marker = data[at + 1]
        if marker in (0x00, 0xFF):
            offset = at + 1 if marker == 0xFF else at + 2
        elif marker in _RESTARTS:
            if marker - 0xD0 != expected_restart:
                return f"restart marker RST{marker - 0xD0} at byte {at} is out of sequence"
            expected_restart = (expected_restart + 1) % 8
            offset = at + 2
        elif marker == 0xD9:
            return None
        elif marker in _BETWEEN_SCANS and at + 4 <= len(data):
            (length,) = struct.unpack_from(">H", data, at + 2)
            offset = at + 2 + length
            expected_restart = 0
        else:
            return f"the entropy-coded data holds the marker FF{marker:02X} at byte {at}"
    return None


def _first_scan(data: bytes) -> int | None:
    """The offset just after the first start-of-scan segment."""
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            offset = data.find(b"\xff", offset)
            if offset < 0:
                return None
            continue
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1
            continue
        (length,) = struct.unpack_from(">H", data, offset + 2)
        if marker == 0xDA:
            return offset + 2 + int(length)
        offset += 2 + length
    return None
