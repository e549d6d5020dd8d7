"""Helpers for the image tests: images generated with Pillow and piexif, and a stage runner.

Imported by name (``from imagekit import ...``): pytest puts this folder on ``sys.path``."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import piexif
from PIL import Image

from metalint.config import Config
from metalint.images import ImageRef, ImageStage
from metalint.images.stage import ImageFinding
from metalint.plan import plan_for

EXTENSIONS = {
    "PNG": "png",
    "JPEG": "jpg",
    "GIF": "gif",
    "BMP": "bmp",
    "TIFF": "tiff",
    "WEBP": "webp",
    "PPM": "ppm",
}
FORMATS = list(EXTENSIONS)
EXIF_FORMATS = ["JPEG", "PNG", "WEBP", "TIFF"]
"""The formats that carry an EXIF Orientation the service looks at."""


def encode(fmt: str, size: tuple[int, int] = (320, 200), orientation: int | None = None) -> bytes:
    """An image of ``size`` in ``fmt``, with an EXIF Orientation tag when one is given."""
    image = Image.new("RGB", size, (200, 80, 40))
    options: dict[str, object] = {}
    if orientation is not None:
        options["exif"] = piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    if fmt == "GIF":
        image = image.convert("P")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few dozen bytes whose IHDR claims ``width`` x ``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def write(root: Path, name: str, data: bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def stage_for(root: Path, config: Config, **options: Any) -> ImageStage:
    """The image stage the engine would make for ``config``: its enabled image rules."""
    return ImageStage(root, config, plan_for(config).image, **options)


def run_stage(
    root: Path, refs: Iterable[ImageRef | str], config: Config | None = None
) -> list[ImageFinding]:
    """The findings of a real stage over ``refs`` (a bare name is a ref without a Region)."""
    stage = stage_for(root, config or Config(use_cache=False))
    for line, ref in enumerate(refs, start=1):
        stage.add(ref if isinstance(ref, ImageRef) else ImageRef(line, ref, None))
    return list(stage.finish())


def codes(findings: Iterable[ImageFinding]) -> set[str]:
    return {f.code for f in findings}


# -- files of the shapes found in real-world images -------------------------------------------


def jpeg_with_segment(data: bytes, segment: bytes) -> bytes:
    """``data`` (a JPEG) with ``segment`` put right after its first segment (APP0)."""
    (length,) = struct.unpack(">H", data[4:6])
    at = 4 + length
    return data[:at] + segment + data[at:]


def short_segment(marker: int, payload: bytes, short_by: int) -> bytes:
    """A segment whose length field falls ``short_by`` bytes short of its payload."""
    return bytes([0xFF, marker]) + struct.pack(">H", 2 + len(payload) - short_by) + payload


TiffEntry = tuple[int, int, list[int]]
"""(tag, TIFF type, values)."""


def tiff_file(
    width: int,
    height: int,
    *,
    replace: dict[int, tuple[int, list[int]]] | None = None,
    extra: Iterable[TiffEntry] = (),
    big: bool = False,
) -> bytes:
    """An uncompressed 8-bit grey TIFF of one strip, little-endian, written by hand so that
    its entries can be anything: ``replace`` swaps the type and values of a standard tag,
    ``extra`` adds entries after the standard ones of the same tag (a tag given twice)."""
    header_size = 16 if big else 8
    pixels = bytes(range(256)) * (width * height // 256 + 1)
    pixels = pixels[: width * height]
    entries: list[TiffEntry] = [
        (256, 3, [width]),
        (257, 3, [height]),
        (258, 3, [8]),
        (259, 3, [1]),
        (262, 3, [1]),
        (273, 4, [header_size]),
        (277, 3, [1]),
        (278, 3, [height]),
        (279, 4, [len(pixels)]),
    ]
    for tag, (kind, values) in (replace or {}).items():
        entries = [(t, kind, values) if t == tag else (t, k, v) for t, k, v in entries]
    entries = sorted([*entries, *extra], key=lambda entry: entry[0])
    codes = {1: "B", 3: "H", 4: "I", 8: "h", 9: "i", 16: "Q"}
    field = 8 if big else 4
    entry_size = 20 if big else 12
    ifd_at = header_size + len(pixels)
    ifd_size = (8 if big else 2) + entry_size * len(entries) + field
    outside = b""
    packed = b""
    for tag, kind, values in entries:
        raw = struct.pack(f"<{len(values)}{codes[kind]}", *values)
        if len(raw) <= field:
            value_field = raw.ljust(field, b"\x00")
        else:
            value_field = struct.pack("<Q" if big else "<I", ifd_at + ifd_size + len(outside))
            outside += raw
        count = struct.pack("<Q" if big else "<I", len(values))
        packed += struct.pack("<HH", tag, kind) + count + value_field
    if big:
        header = b"II+\x00" + struct.pack("<HHQ", 8, 0, ifd_at)
        ifd = struct.pack("<Q", len(entries)) + packed + bytes(8)
    else:
        header = b"II*\x00" + struct.pack("<I", ifd_at)
        ifd = struct.pack("<H", len(entries)) + packed + bytes(4)
    return header + pixels + ifd + outside


def exif_claiming_entries(orientation: int, claimed: int) -> bytes:
    """An EXIF blob with one entry, Orientation, whose IFD0 claims ``claimed`` entries."""
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"Exif\x00\x00II*\x00" + struct.pack("<IH", 8, claimed) + entry + struct.pack("<I", 0)


def jpeg_with_exif(exif: bytes, size: tuple[int, int] = (320, 200)) -> bytes:
    """A JPEG whose APP1 holds ``exif`` as it is (Pillow would parse and rewrite it)."""
    data = encode("JPEG", size)
    return jpeg_with_segment(data, b"\xff\xe1" + struct.pack(">H", 2 + len(exif)) + exif)


def png_text(kind: bytes, keyword: bytes, text: bytes) -> bytes:
    """A tEXt, zTXt or iTXt chunk (zTXt and iTXt compressed)."""
    if kind == b"tEXt":
        body = keyword + b"\x00" + text
    elif kind == b"zTXt":
        body = keyword + b"\x00\x00" + zlib.compress(text)
    else:
        body = keyword + b"\x00\x01\x00\x00\x00" + zlib.compress(text)
    return png_chunk(kind, body)


def png_with_chunk(chunk: bytes, size: tuple[int, int] = (320, 200)) -> bytes:
    """A PNG with ``chunk`` right after its IHDR."""
    data = encode("PNG", size)
    return data[:33] + chunk + data[33:]


def xmp_packet(orientation: int) -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="'
        + str(orientation).encode()
        + b'"/></rdf:RDF></x:xmpmeta>'
    )


def raw_profile_exif(orientation: int) -> bytes:
    """The text ImageMagick writes for an EXIF profile: name, length, hexadecimal lines."""
    blob = b"Exif\x00\x00" + piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})[6:]
    digits = blob.hex()
    lines = "\n".join(digits[i : i + 72] for i in range(0, len(digits), 72))
    return f"\nexif\n{len(blob):8d}\n{lines}\n".encode()


def gif_with_frame_at(left: int, top: int) -> bytes:
    """A 320x200 GIF with a second, 10x10 frame placed at ``left``, ``top``."""
    base = encode("GIF")
    small = io.BytesIO()
    Image.new("P", (10, 10), 1).save(small, "GIF")
    frame = small.getvalue()
    table = 3 << ((frame[10] & 7) + 1) if frame[10] & 0x80 else 0
    descriptor = frame[13 + table : -1]
    while descriptor[0] != 0x2C:  # skip the extensions before the image descriptor
        end = 2
        while descriptor[end]:
            end += descriptor[end] + 1
        descriptor = descriptor[end + 1 :]
    moved = descriptor[:1] + struct.pack("<HH", left, top) + descriptor[5:]
    return base[:-1] + moved + b";"
