"""One header reader per format. Each reads only the bytes it needs, checks the structure
against the file size, and raises ``Truncated`` or ``Malformed`` for a damaged file."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import replace

from metalint.images.header import Malformed, Source, Truncated, sniff
from metalint.images.metadata import (
    PNG_TEXT_KEYWORD_BYTES,
    XMP,
    XMP_JPEG_PREFIX,
    png_text_orientation,
    png_text_wanted,
    xmp_orientation,
)
from metalint.images.model import Content
from metalint.images.rasters import read_bmp, read_ppm, read_tiff
from metalint.images.tiff import exif_orientation

_MAX_CHUNKS = 100_000
"""Beyond this many PNG/WEBP chunks or JPEG segments, stop walking: the file is hostile."""
_EOI_WINDOW = 64 * 1024
"""How far from the end a JPEG's end-of-image marker is looked for (trailers follow it)."""
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_CHUNK_HEAD = struct.Struct(">I4s").unpack


def read_png(src: Source) -> Content:
    length, kind = src.unpack(">I4s", 8)
    if kind != b"IHDR" or length != 13:
        raise Malformed("the first chunk is not a 13-byte IHDR")
    width, height = src.unpack(">II", 16)
    if zlib.crc32(src.read(12, 17)) != src.unpack(">I", 29)[0]:
        raise Malformed("the IHDR checksum does not match")
    if width == 0 or height == 0:
        raise Malformed(f"IHDR gives {width}x{height} pixels")
    orientation = None
    hidden: tuple[int, str] | None = None
    seen_data = False
    offset = 33
    size, head, pread = src.size, src.head, src.pread
    for _ in range(_MAX_CHUNKS):
        if offset + 12 > size:
            raise Truncated(f"the file ends at byte {size}, before the IEND chunk")
        raw = head[offset : offset + 8] if offset + 8 <= len(head) else pread(8, offset)
        length, kind = _CHUNK_HEAD(raw)
        if length > 0x7FFFFFFF or not kind.isalpha():
            raise Malformed(f"invalid chunk at byte {offset}")
        end = offset + 12 + length
        if end > size:
            name = kind.decode("ascii")
            raise Truncated(f"the {name} chunk at byte {offset} ends past the end of the file")
        if kind == b"IDAT":
            seen_data = True
        elif kind == b"IEND":
            break
        elif kind == b"eXIf":
            orientation = exif_orientation(src.read(offset + 8, length))
        elif (
            kind in _PNG_TEXT
            and hidden is None
            and png_text_wanted(src.read(offset + 8, min(length, PNG_TEXT_KEYWORD_BYTES)))
        ):
            hidden = png_text_orientation(kind, src.read(offset + 8, length))
        offset = end
    else:
        if src.read(size - 12, 12) != _PNG_IEND:
            raise Truncated("the file does not end with an IEND chunk")
        seen_data = True
    if not seen_data:
        raise Malformed("no IDAT chunk: the image has no pixel data")
    return _with_hidden(Content("PNG", width, height, orientation), hidden)


_PNG_TEXT = frozenset((b"tEXt", b"zTXt", b"iTXt"))


def _with_hidden(content: Content, hidden: tuple[int, str] | None) -> Content:
    """``content`` with the orientation found outside EXIF, which counts only without EXIF's."""
    if hidden is None or content.orientation is not None:
        return content
    return replace(content, hidden_orientation=hidden[0], hidden_in=hidden[1])


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}


def read_jpeg(src: Source) -> Content:
    width = height = orientation = None
    hidden: tuple[int, str] | None = None
    damage = None
    offset = 2
    for _ in range(_MAX_CHUNKS):
        prefix, marker = src.unpack(">BB", offset)
        if prefix != 0xFF:
            # Like libjpeg, skip to the next marker: junk between segments, or a segment whose
            # length falls short of its content (seen in APP13 and APP14).
            found = _next_marker(src, offset)
            damage = damage or f"{found - offset} bytes of junk before the marker at byte {found}"
            offset = found
            continue
        if marker == 0xFF:
            offset += 1
            continue
        if marker in _STANDALONE:
            offset += 2
            continue
        if marker == 0xD9:
            raise Malformed("the end-of-image marker comes before any image data")
        (length,) = src.unpack(">H", offset + 2)
        if length < 2:
            raise Malformed(f"segment at byte {offset} has length {length}")
        end = offset + 2 + length
        if end > src.size:
            raise Truncated(f"the segment at byte {offset} ends past the end of the file")
        if marker in _SOF:
            height, width = src.unpack(">HH", offset + 5)
        elif marker == 0xE1 and (orientation is None or hidden is None):
            payload = src.read(offset + 4, length - 2)
            if payload.startswith(b"Exif\x00\x00") and orientation is None:
                orientation = exif_orientation(payload)
            elif payload.startswith(XMP_JPEG_PREFIX) and hidden is None:
                value = xmp_orientation(payload)
                hidden = None if value is None else (value, XMP)
        elif marker == 0xDA:
            break
        offset = end
    else:
        raise Malformed("too many segments before the image data")
    if width is None or height is None:
        raise Malformed("no frame header (SOF) before the image data")
    if width == 0 or height == 0:
        raise Malformed(f"the frame header gives {width}x{height} pixels")
    tail = src.read(max(offset, src.size - _EOI_WINDOW), _EOI_WINDOW)
    if b"\xff\xd9" not in tail:
        raise Truncated("no end-of-image marker (FFD9) at the end of the file")
    return _with_hidden(Content("JPEG", width, height, orientation, damage=damage), hidden)


_SCAN_WINDOW = 4096


def _next_marker(src: Source, offset: int) -> int:
    """The offset of the next byte FF that starts a marker (not a stuffed FF 00)."""
    at = offset
    while True:
        window = src.read(at, _SCAN_WINDOW)
        if len(window) < 2:
            raise Truncated(f"the file ends in junk after byte {offset}, before any marker")
        index = window.find(b"\xff")
        while 0 <= index < len(window) - 1 and window[index + 1] == 0:
            index = window.find(b"\xff", index + 2)
        if 0 <= index < len(window) - 1:
            return at + index
        # None in this window, or an FF on its last byte: look again from there.
        at += index if index > 0 else max(1, len(window) - 1)


def read_gif(src: Source) -> Content:
    if src.size < 13:
        raise Truncated("the file ends inside the header")
    width, height, flags = src.unpack("<HHB", 6)
    if width == 0 or height == 0:
        raise Malformed(f"the logical screen is {width}x{height} pixels")
    right, bottom = _gif_extent(_Windows(src), _color_table(flags) + 13)
    if right <= width and bottom <= height:
        return Content("GIF", width, height)
    return Content("GIF", width, height, canvas_width=right, canvas_height=bottom)


_WINDOW = 256 * 1024
_MARGIN = 16
"""Bytes a window keeps past any offset asked for: an image descriptor and its neighbours."""


class _Windows:
    """A file read window by window, for a walk from its start to its end: a buffer of
    ``_WINDOW`` bytes is cheaper to refill than the whole file is to read at once."""

    def __init__(self, src: Source) -> None:
        self._src = src
        self._start = 0
        self._data = b""

    def at(self, offset: int) -> tuple[bytes, int]:
        """The window that holds ``offset`` (empty past the end), and the offset within it."""
        index = offset - self._start
        if index < 0 or (
            index + _MARGIN > len(self._data) and self._start + len(self._data) < self._src.size
        ):
            self._start, self._data = offset, self._src.read(offset, _WINDOW)
            index = 0
        return self._data, index


def _color_table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _gif_extent(windows: _Windows, offset: int) -> tuple[int, int]:
    """Walk a GIF's blocks to its trailer; the right and bottom edges its frames reach."""
    right = bottom = 0
    for _ in range(_MAX_CHUNKS):
        data, index = windows.at(offset)
        if index >= len(data):
            raise Truncated(f"the file ends at byte {offset}, before the GIF trailer (3B)")
        block = data[index]
        if block == 0x3B:
            return right, bottom
        if block == 0x21:
            offset = _skip_sub_blocks(windows, offset + 2)
        elif block == 0x2C:
            if index + 11 > len(data):
                raise Truncated(f"the image descriptor at byte {offset} is cut")
            left, top, frame_width, frame_height, flags = struct.unpack_from(
                "<HHHHB", data, index + 1
            )
            right, bottom = max(right, left + frame_width), max(bottom, top + frame_height)
            offset += 10 + _color_table(flags)
            data, index = windows.at(offset)
            if index < len(data) and not 2 <= data[index] <= 8:
                raise Malformed(f"LZW minimum code size {data[index]} at byte {offset}")
            offset = _skip_sub_blocks(windows, offset + 1)
        else:
            raise Malformed(f"unknown block {block:#04x} at byte {offset}")
    raise Malformed("too many blocks")


def _skip_sub_blocks(windows: _Windows, offset: int) -> int:
    """The offset after the data sub-blocks at ``offset`` and their terminator."""
    while True:
        data, index = windows.at(offset)
        if index >= len(data):
            raise Truncated(f"the file ends at byte {offset}, inside the GIF image data")
        # Image data comes in runs of full 255-byte sub-blocks: step over a run at once by
        # reading every 256th byte, where each length byte stands.
        lengths = data[index::256]
        full = len(lengths) - len(lengths.lstrip(b"\xff"))
        offset += 256 * full
        if full == len(lengths):
            continue  # the run goes on past this window
        length = data[index + 256 * full]
        offset += 1 + length
        if length == 0:
            return offset


def read_webp(src: Source) -> Content:
    (riff_size,) = src.unpack("<I", 4)
    riff_end = 8 + riff_size
    if riff_end > src.size:
        raise Truncated(f"the RIFF header promises {riff_end} bytes, the file has {src.size}")
    canvas: tuple[int, int] | None = None
    frame: tuple[int, int] | None = None
    orientation = None
    hidden: tuple[int, str] | None = None
    offset = 12
    for _ in range(_MAX_CHUNKS):
        if offset + 8 > riff_end:
            break
        kind, length = src.unpack("<4sI", offset)
        payload_at = offset + 8
        if payload_at + length > riff_end:
            name = kind.decode("latin-1")
            raise Truncated(f"the {name!r} chunk at byte {offset} ends past the RIFF data")
        if kind == b"VP8X":
            canvas = _vp8x_size(src.read(payload_at, 10))
        elif kind == b"VP8 " and frame is None:
            frame = _vp8_size(src.read(payload_at, 10))
        elif kind == b"VP8L" and frame is None:
            frame = _vp8l_size(src.read(payload_at, 5))
        elif kind == b"EXIF":
            orientation = exif_orientation(src.read(payload_at, length))
        elif kind == b"XMP " and hidden is None:
            value = xmp_orientation(src.read(payload_at, length))
            hidden = None if value is None else (value, XMP)
        offset = payload_at + length + (length & 1)
    size = canvas or frame
    if size is None:
        raise Malformed("no VP8, VP8L or VP8X chunk")
    return _with_hidden(Content("WEBP", size[0], size[1], orientation), hidden)


def _vp8x_size(payload: bytes) -> tuple[int, int]:
    if len(payload) < 10:
        raise Malformed("short VP8X chunk")
    width = int.from_bytes(payload[4:7], "little") + 1
    height = int.from_bytes(payload[7:10], "little") + 1
    return width, height


def _vp8_size(payload: bytes) -> tuple[int, int]:
    if len(payload) < 10 or payload[3:6] != b"\x9d\x01\x2a":
        raise Malformed("the VP8 chunk has no key frame start code")
    width = int.from_bytes(payload[6:8], "little") & 0x3FFF
    height = int.from_bytes(payload[8:10], "little") & 0x3FFF
    if width == 0 or height == 0:
        raise Malformed(f"the VP8 frame is {width}x{height} pixels")
    return width, height


def _vp8l_size(payload: bytes) -> tuple[int, int]:
    if len(payload) < 5 or payload[0] != 0x2F:
        raise Malformed("the VP8L chunk has no signature")
    bits = int.from_bytes(payload[1:5], "little")
    return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1


READERS: dict[str, Callable[[Source], Content]] = {
    "PNG": read_png,
    "JPEG": read_jpeg,
    "GIF": read_gif,
    "WEBP": read_webp,
    "BMP": read_bmp,
    "TIFF": read_tiff,
    "BigTIFF": read_tiff,
    "PPM": read_ppm,
}


def read_content(source: Source) -> Content:
    """Everything the header says, with structural damage reported in ``corrupt``.

    ``OSError`` is left to the caller: an unreadable file is not a corrupt one.
    """
    if source.size == 0:
        return Content(None, corrupt="the file is empty")
    fmt = sniff(source.head)
    reader = READERS.get(fmt) if fmt else None
    if reader is None:
        return Content(fmt)
    try:
        return reader(source)
    except Truncated as exc:
        return Content(fmt, corrupt=f"truncated: {exc}")
    except (Malformed, struct.error, ValueError, IndexError, OverflowError) as exc:
        return Content(fmt, corrupt=f"the {fmt} header cannot be parsed: {exc}")
