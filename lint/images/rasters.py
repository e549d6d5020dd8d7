"""Header readers for the formats whose pixel data has a size known from the header: BMP,
PPM and TIFF. Each compares where the data ends with the size of the file."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from metalint.images.header import Malformed, Source, Truncated
from metalint.images.model import Content
from metalint.images.tiff import (
    BITS_PER_SAMPLE,
    COMPRESSION,
    HEIGHT,
    ORIENTATION,
    PLANAR_CONFIGURATION,
    ROWS_PER_STRIP,
    SAMPLES_PER_PIXEL,
    STRIP_BYTE_COUNTS,
    STRIP_OFFSETS,
    TILE_BYTE_COUNTS,
    TILE_OFFSETS,
    WIDTH,
    BadTiff,
    Ifd,
    read_ifd0,
)

_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
_BMP_DEPTHS = frozenset({1, 2, 4, 8, 16, 24, 32})
_BMP_UNCOMPRESSED = frozenset({0, 3, 6})
"""BI_RGB, BI_BITFIELDS and BI_ALPHABITFIELDS: rows of a size known from the header."""


def read_bmp(src: Source) -> Content:
    (data_at, header_size) = src.unpack("<10xII", 0)
    if header_size not in _BMP_HEADERS:
        raise Malformed(f"unknown DIB header size {header_size}")
    if header_size == 12:
        width, height, _, depth = src.unpack("<HHHH", 18)
        compression = image_size = 0
    else:
        width, height, _, depth, compression, image_size = src.unpack("<iiHHII", 18)
        height = abs(height)
    if width <= 0 or height == 0:
        raise Malformed(f"the header gives {width}x{height} pixels")
    if depth not in _BMP_DEPTHS:
        raise Malformed(f"unsupported bit depth {depth}")
    if compression in _BMP_UNCOMPRESSED:
        data_size = (width * depth + 31) // 32 * 4 * height
    else:
        data_size = image_size
    if data_at + data_size > src.size:
        raise Truncated(
            f"the pixel data needs {data_at + data_size:,} bytes, the file has {src.size:,}"
        )
    return Content("BMP", width, height)


_PNM_HEADER_BYTES = 1024


def read_ppm(src: Source) -> Content:
    magic = src.head[1:2]
    fields_wanted = 2 if magic in (b"1", b"4") else 3
    data = src.read(0, _PNM_HEADER_BYTES)
    fields: list[int] = []
    offset = 2
    while len(fields) < fields_wanted:
        while offset < len(data) and (data[offset : offset + 1].isspace() or data[offset] == 35):
            if data[offset] == 35:
                end = data.find(b"\n", offset)
                offset = len(data) if end < 0 else end
            offset += 1
        start = offset
        while offset < len(data) and data[offset : offset + 1].isdigit():
            offset += 1
        if start == offset:
            if offset >= len(data) and src.size <= len(data):
                raise Truncated("the file ends inside the header")
            raise Malformed(f"expected a number at byte {offset}")
        fields.append(int(data[start:offset]))
    if offset >= len(data) or not data[offset : offset + 1].isspace():
        raise Truncated("the file ends inside the header")
    width, height = fields[0], fields[1]
    maxval = fields[2] if fields_wanted == 3 else 1
    if width == 0 or height == 0:
        raise Malformed(f"the header gives {width}x{height} pixels")
    if not 0 < maxval < 65536:
        raise Malformed(f"maximum value {maxval} is outside 1 to 65535")
    sample = 2 if maxval > 255 else 1
    need = {b"6": width * height * 3 * sample, b"5": width * height * sample}.get(magic)
    if magic == b"4":
        need = (width + 7) // 8 * height
    data_at = offset + 1
    if need is not None and data_at + need > src.size:
        raise Truncated(f"the pixel data needs {data_at + need:,} bytes, the file has {src.size:,}")
    if need is None and data_at >= src.size:
        raise Truncated("the file has no pixel data")
    return Content("PPM", width, height)


_MAX_SAMPLES = 64
"""More samples per pixel than any decoder reads (Pillow's modes stop at a handful): a
crafted or broken field."""


def read_tiff(src: Source) -> Content:
    fmt = "BigTIFF" if src.head[2:4] in (b"+\x00", b"\x00+") else "TIFF"
    try:
        ifd = read_ifd0(src.read, src.size)
        width = ifd.first(WIDTH)
        height = ifd.first(HEIGHT)
        orientation = ifd.first(ORIENTATION)
        samples = ifd.first(SAMPLES_PER_PIXEL) or 1
        tiled = TILE_OFFSETS in ifd.entries
        offsets = ifd.values(TILE_OFFSETS if tiled else STRIP_OFFSETS)
        counts = ifd.values(TILE_BYTE_COUNTS if tiled else STRIP_BYTE_COUNTS)
        layout = None if tiled else _strip_layout(ifd)
    except (BadTiff, struct.error) as exc:
        raise Malformed(str(exc)) from exc
    if width is None or height is None:
        raise Malformed("IFD0 has no ImageWidth or ImageLength")
    if width <= 0 or height <= 0:
        raise Malformed(f"IFD0 gives {width}x{height} pixels")
    if not 0 < samples <= _MAX_SAMPLES:
        raise Malformed(f"SamplesPerPixel is {samples}")
    if not offsets or not counts:
        raise Malformed("IFD0 has no strip or tile offsets")
    damage = None
    if layout is not None:
        damage = _check_strips(src, layout, width, height, samples, offsets, counts)
    else:
        _check_data_end(src, offsets, counts)
    return Content(fmt, width, height, orientation, damage=damage)


@dataclass(frozen=True, slots=True)
class _Strips:
    rows_per_strip: int | None
    compression: int
    planar: int
    bits: list[int]


def _strip_layout(ifd: Ifd) -> _Strips:
    return _Strips(
        ifd.first(ROWS_PER_STRIP),
        ifd.first(COMPRESSION) or 1,
        ifd.first(PLANAR_CONFIGURATION) or 1,
        ifd.values(BITS_PER_SAMPLE) or [1],
    )


def _check_strips(
    src: Source,
    layout: _Strips,
    width: int,
    height: int,
    samples: int,
    offsets: list[int],
    counts: list[int],
) -> str | None:
    """Check the strips against the image they must draw; the damage decoders tolerate in
    them, if any.

    Strips are ImageLength / RowsPerStrip (rounded up; RowsPerStrip past the height means one
    strip), once per sample with PlanarConfiguration 2. Uncompressed data has a size known from
    the header, which decoders read whatever StripByteCounts says."""
    rows = layout.rows_per_strip
    if rows is not None and rows <= 0:
        raise Malformed(f"RowsPerStrip is {rows}")
    rows = min(rows or height, height)
    planes = samples if layout.planar == 2 else 1
    strips = -(-height // rows) * planes
    if len(offsets) != strips:
        raise Malformed(
            f"{len(offsets)} strips, where ImageLength {height} and RowsPerStrip "
            f"{layout.rows_per_strip} make {strips}"
        )
    try:
        _check_data_end(src, offsets, counts)
    except Truncated as exc:
        if layout.compression != 1:
            raise
        bits = sum(layout.bits[:samples]) if planes == 1 else max(layout.bits)
        row_bytes = (width * bits + 7) // 8
        per_plane = -(-height // rows)
        end = max(
            offset + row_bytes * min(rows, height - (index % per_plane) * rows)
            for index, offset in enumerate(offsets)
        )
        if end > src.size:
            raise
        return f"StripByteCounts is wrong ({exc}), but the uncompressed data is all there"
    return None


def _check_data_end(src: Source, offsets: list[int], counts: list[int]) -> None:
    end = max(offset + count for offset, count in zip(offsets, counts, strict=False))
    if end > src.size:
        raise Truncated(f"the image data needs {end:,} bytes, the file has {src.size:,}")
