"""Reading an image's header: the few bytes each format needs, never its pixels."""

from __future__ import annotations

import functools
import os
import struct
from collections.abc import Callable
from typing import Any

HEAD_BYTES = 16 * 1024
"""Read at once from the start of every file: enough for the headers of most images."""


class Source:
    """Random access to a file (or to bytes) with the head read once and its size known."""

    __slots__ = ("head", "pread", "size")

    def __init__(self, pread: Callable[[int, int], bytes], size: int) -> None:
        self.pread = pread
        """Reads ``length`` bytes at ``offset`` (in this order), unchecked: the fast path."""
        self.size = size
        self.head = pread(min(HEAD_BYTES, size), 0) if size > 0 else b""

    @classmethod
    def of_fd(cls, fd: int, size: int) -> Source:
        return cls(functools.partial(os.pread, fd), size)

    @classmethod
    def of_bytes(cls, data: bytes) -> Source:
        return cls(lambda length, offset: data[offset : offset + length], len(data))

    def read(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset``; fewer at the end of the file."""
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        end = offset + length
        if end <= len(self.head):
            return self.head[offset:end]
        return self.pread(min(length, self.size - offset), offset)

    def unpack(self, fmt: str, offset: int) -> tuple[Any, ...]:
        """``struct.unpack`` at ``offset``; raises ``Truncated`` when the file is too short."""
        length = struct.calcsize(fmt)
        data = self.read(offset, length)
        if len(data) < length:
            raise Truncated(f"the file ends at byte {self.size}, inside a header")
        return struct.unpack(fmt, data)


class Truncated(ValueError):
    """The file ends where its structure says more bytes follow."""


class Malformed(ValueError):
    """The structure cannot be parsed."""


_FTYP_BRANDS = {
    b"heic": "HEIC",
    b"heix": "HEIC",
    b"heim": "HEIC",
    b"heis": "HEIC",
    b"hevc": "HEIC",
    b"mif1": "HEIF",
    b"msf1": "HEIF",
    b"avif": "AVIF",
    b"avis": "AVIF",
}


def sniff(head: bytes) -> str | None:
    """The format named by the magic bytes at the start of a file, None when unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] in (b"II+\x00", b"MM\x00+"):
        return "BigTIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if len(head) >= 3 and head[0:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace():
        return "PPM"
    return _sniff_unsupported(head)


def _sniff_unsupported(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "an ISO media file")
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    if head.startswith((b"\xff\x4f\xff\x51", b"\x00\x00\x00\x0cjP  ")):
        return "JPEG 2000"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL ")):
        return "JPEG XL"
    if head.startswith(b"RIFF"):
        return "a RIFF file that is not WEBP"
    text = head[:256].lstrip().lower()
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return "SVG or XML"
    return None
