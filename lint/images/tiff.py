"""TIFF structures: the IFD0 of a TIFF file (classic or BigTIFF) and of an EXIF blob, read
entry by entry."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

ReadAt = Callable[[int, int], bytes]
"""Reads ``length`` bytes at ``offset``; returns fewer at the end of the data."""

ORIENTATION = 0x0112
WIDTH = 0x0100
HEIGHT = 0x0101
BITS_PER_SAMPLE = 0x0102
COMPRESSION = 0x0103
STRIP_OFFSETS = 0x0111
SAMPLES_PER_PIXEL = 0x0115
ROWS_PER_STRIP = 0x0116
STRIP_BYTE_COUNTS = 0x0117
PLANAR_CONFIGURATION = 0x011C
TILE_OFFSETS = 0x0144
TILE_BYTE_COUNTS = 0x0145

# BYTE, SHORT, LONG, SBYTE, SSHORT, SLONG, LONG8, SLONG8, IFD8: the integer types. Orientation
# comes as SSHORT or SLONG from some writers (gThumb), which libtiff and Pillow both read.
_SIZES = {1: 1, 3: 2, 4: 4, 6: 1, 8: 2, 9: 4, 16: 8, 17: 8, 18: 8}
_CODES = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 16: "Q", 17: "q", 18: "Q"}
_MAX_ENTRIES = 4096
_MAX_VALUES = 1 << 20


class BadTiff(ValueError):
    """The structure contradicts itself or points outside the data."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where classic TIFF and BigTIFF differ: the widths of counts, offsets and entries."""

    count: str
    """struct code of the entry count."""
    offset: str
    """struct code of an offset (and of the value-or-offset field)."""
    entry: int
    """Bytes per directory entry."""
    value_count: str
    """struct code of an entry's count of values."""


CLASSIC = Layout("H", "I", 12, "I")
BIG = Layout("Q", "Q", 20, "Q")


@dataclass(frozen=True, slots=True)
class Ifd:
    order: str
    """The struct byte order: "<" or ">"."""
    entries: dict[int, tuple[int, int, bytes]]
    """tag → (type, count, the value-or-offset bytes)."""
    read: ReadAt
    size: int
    layout: Layout = CLASSIC

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
        if total <= len(field):
            raw = field[:total]
        else:
            (offset,) = struct.unpack(self.order + self.layout.offset, field)
            if offset + total > self.size:
                raise BadTiff(f"tag {tag} points past the end of the data")
            raw = self.read(offset, total)
        return list(struct.unpack(f"{self.order}{count}{_CODES[kind]}", raw))

    def first(self, tag: int) -> int | None:
        values = self.values(tag)
        return values[0] if values else None


def read_ifd0(read: ReadAt, size: int, *, partial: bool = False) -> Ifd:
    """The first image file directory of TIFF-structured data (a file or an EXIF blob).

    A tag given twice keeps its first entry, as libtiff and Pillow do. With ``partial``, a
    directory that claims more entries than the data holds keeps those that fit (Pillow reads
    an EXIF block so); without it, that is an error.
    """
    header = read(0, 16)
    if header[:2] == b"II":
        order = "<"
    elif header[:2] == b"MM":
        order = ">"
    else:
        raise BadTiff("no TIFF header")
    (magic,) = struct.unpack(order + "H", header[2:4])
    if magic == 42:
        layout = CLASSIC
        (offset,) = struct.unpack(order + "I", header[4:8])
        first_at = 8
    elif magic == 43 and len(header) == 16:
        layout = BIG
        (offset,) = struct.unpack(order + "Q", header[8:16])
        first_at = 16
    else:
        raise BadTiff("no TIFF header")
    count_size = struct.calcsize(layout.count)
    if offset < first_at or offset + count_size > size:
        raise BadTiff(f"IFD0 offset {offset} is outside the data ({size} bytes)")
    (count,) = struct.unpack(order + layout.count, read(offset, count_size))
    if count == 0 or count > _MAX_ENTRIES:
        raise BadTiff(f"IFD0 holds {count} entries")
    start = offset + count_size
    if start + layout.entry * count > size:
        if not partial:
            raise BadTiff("IFD0 runs past the end of the data")
        count = (size - start) // layout.entry
    raw = read(start, layout.entry * count)
    entries: dict[int, tuple[int, int, bytes]] = {}
    head = struct.Struct(order + "HH" + layout.value_count).unpack_from
    field_at = 4 + struct.calcsize(layout.value_count)
    for at in range(0, layout.entry * count, layout.entry):
        tag, kind, n = head(raw, at)
        entries.setdefault(tag, (kind, n, raw[at + field_at : at + layout.entry]))
    return Ifd(order, entries, read, size, layout)


def exif_orientation(blob: bytes) -> int | None:
    """The Orientation in an EXIF blob (with or without the ``Exif\\0\\0`` prefix); None when
    the blob has no such tag or cannot be parsed (a broken EXIF block does not stop decoding)."""
    if blob.startswith(b"Exif\x00\x00"):
        blob = blob[6:]

    def read(offset: int, length: int) -> bytes:
        return blob[offset : offset + length]

    try:
        return read_ifd0(read, len(blob), partial=True).first(ORIENTATION)
    except (BadTiff, struct.error):
        return None
