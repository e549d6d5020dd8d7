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
