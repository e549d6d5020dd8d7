"""TIFF structures: the IFD0 of a TIFF file and of an EXIF blob, read entry by entry."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

ReadAt = Callable[[int, int], bytes]
"""Reads ``length`` bytes at ``offset``; returns fewer at the end of the data."""

ORIENTATION = 0x0112
WIDTH = 0x0100
HEIGHT = 0x0101
STRIP_OFFSETS = 0x0111
STRIP_BYTE_COUNTS = 0x0117
TILE_OFFSETS = 0x0144
TILE_BYTE_COUNTS = 0x0145

_SIZES = {1: 1, 3: 2, 4: 4, 16: 8}
_CODES = {1: "B", 3: "H", 4: "I", 16: "Q"}
_MAX_ENTRIES = 4096
_MAX_VALUES = 1 << 20


class BadTiff(ValueError):
    """The structure contradicts itself or points outside the data."""


@dataclass(frozen=True, slots=True)
class Ifd:
    order: str
    """The struct byte order: "<" or ">"."""
    entries: dict[int, tuple[int, int, bytes]]
    """tag → (type, count, the four value-or-offset bytes)."""
    read: ReadAt
    size: int

    def values(self, tag: int) -> list[int] | None:
        """The integer values of ``tag``, read from wherever they are stored."""
        entry = self.entries.get(tag)
        if entry is None:
            return None
        kind, count, field = entry
        width = _SIZES.get(kind)
        if width is None or count == 0:
            return None
        if count > _MAX_VALUES:
            raise BadTiff(f"tag {tag} claims {count} values")
        total = width * count
        if total <= 4:
            raw = field[:total]
        else:
            (offset,) = struct.unpack(self.order + "I", field)
            if offset + total > self.size:
                raise BadTiff(f"tag {tag} points past the end of the data")
            raw = self.read(offset, total)
        return list(struct.unpack(f"{self.order}{count}{_CODES[kind]}", raw))

    def first(self, tag: int) -> int | None:
        values = self.values(tag)
        return values[0] if values else None


def read_ifd0(read: ReadAt, size: int) -> Ifd:
    """The first image file directory of TIFF-structured data (a file or an EXIF blob)."""
    header = read(0, 8)
    if header[:4] == b"II*\x00":
        order = "<"
    elif header[:4] == b"MM\x00*":
        order = ">"
    else:
        raise BadTiff("no TIFF header")
    (offset,) = struct.unpack(order + "I", header[4:8])
    if offset < 8 or offset + 2 > size:
        raise BadTiff(f"IFD0 offset {offset} is outside the data ({size} bytes)")
    (count,) = struct.unpack(order + "H", read(offset, 2))
    if count == 0 or count > _MAX_ENTRIES:
        raise BadTiff(f"IFD0 holds {count} entries")
    if offset + 2 + 12 * count > size:
        raise BadTiff("IFD0 runs past the end of the data")
    raw = read(offset + 2, 12 * count)
    entries: dict[int, tuple[int, int, bytes]] = {}
    for start in range(0, 12 * count, 12):
        tag, kind, n = struct.unpack(order + "HHI", raw[start : start + 8])
        entries[tag] = (kind, n, raw[start + 8 : start + 12])
    return Ifd(order, entries, read, size)


def exif_orientation(blob: bytes) -> int | None:
    """The Orientation in an EXIF blob (with or without the ``Exif\\0\\0`` prefix); None when
    the blob has no such tag or cannot be parsed (a broken EXIF block does not stop decoding)."""
    if blob.startswith(b"Exif\x00\x00"):
        blob = blob[6:]

    def read(offset: int, length: int) -> bytes:
        return blob[offset : offset + length]

    try:
        return read_ifd0(read, len(blob)).first(ORIENTATION)
    except (BadTiff, struct.error):
        return None
