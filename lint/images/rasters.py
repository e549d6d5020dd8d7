"""Header readers for the formats whose pixel data has a size known from the header: BMP,
PPM and TIFF. Each compares where the data ends with the size of the file."""

from __future__ import annotations

import struct

from metalint.images.header import Malformed, Source, Truncated
from metalint.images.model import Content
from metalint.images.tiff import (
    HEIGHT,
    ORIENTATION,
    STRIP_BYTE_COUNTS,
    STRIP_OFFSETS,
    TILE_BYTE_COUNTS,
    TILE_OFFSETS,
    WIDTH,
    BadTiff,
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


def read_tiff(src: Source) -> Content:
    try:
        ifd = read_ifd0(src.read, src.size)
        width = ifd.first(WIDTH)
        height = ifd.first(HEIGHT)
        orientation = ifd.first(ORIENTATION)
        offsets = ifd.values(STRIP_OFFSETS) or ifd.values(TILE_OFFSETS)
        counts = ifd.values(STRIP_BYTE_COUNTS) or ifd.values(TILE_BYTE_COUNTS)
    except (BadTiff, struct.error) as exc:
        raise Malformed(str(exc)) from exc
    if width is None or height is None:
        raise Malformed("IFD0 has no ImageWidth or ImageLength")
    if width == 0 or height == 0:
        raise Malformed(f"IFD0 gives {width}x{height} pixels")
    if not offsets or not counts:
        raise Malformed("IFD0 has no strip or tile offsets")
    end = max(offset + count for offset, count in zip(offsets, counts, strict=False))
    if end > src.size:
        raise Truncated(f"the image data needs {end:,} bytes, the file has {src.size:,}")
    return Content("TIFF", width, height, orientation)
