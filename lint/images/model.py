"""The records the image stage works with: a reference from a line, what a probe learns about
an image."""

from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_BYTES = 4 * 1024 * 1024
"""The largest image the service accepts, in bytes."""

BOMB_PIXELS = 89_478_485
"""Pixel count above which a header is treated as a decompression bomb (Pillow's own warning
threshold: about a quarter of a gigabyte once decoded as RGB)."""

SUPPORTED_FORMATS = frozenset({"PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF", "PPM", "BigTIFF"})
"""The formats the header readers know; BigTIFF is a TIFF variant that draws a warning."""

FAMILIES = {"BigTIFF": "TIFF"}
"""The format whose extensions a variant takes."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    line: int
    """1-based manifest line number."""
    pic_name: str
    """The PicName value as written."""
    region: tuple[int, int, int, int] | None
    """(x1, x2, y1, y2) when the line's Region is well-formed."""


class Lookup(enum.StrEnum):
    """How looking the PicName up under the image root went."""

    FOUND = "found"
    MISSING = "missing"
    CASE_MISMATCH = "case-mismatch"
    """Found only under another case; ``ImageFacts.real_name`` holds the name on disk."""
    OUTSIDE_ROOT = "outside-root"
    NOT_REGULAR = "not-regular"
    UNREADABLE = "unreadable"
    SKIPPED = "skipped"
    """Nothing to look up (an empty PicName): the field rules report it."""


@dataclass(frozen=True, slots=True)
class Content:
    """What the header of an image says; the part of the facts that is cached on disk."""

    format: str | None
    """The real format read from the magic bytes, such as "PNG"; None when unrecognised."""
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    """The EXIF Orientation value, None when the image carries no such tag."""
    corrupt: str | None = None
    """Why the file is truncated or cannot be parsed, None when its structure is sound."""
    damage: str | None = None
    """Damage that decoders tolerate (Pillow decoded the image fully despite it)."""
    hidden_orientation: int | None = None
    """An Orientation found outside EXIF (see ``hidden_in``) when EXIF holds none."""
    hidden_in: str | None = None
    """Where ``hidden_orientation`` was found: XMP, or a PNG text chunk of raw EXIF."""
    canvas_width: int | None = None
    canvas_height: int | None = None
    """The canvas a GIF's frames reach, when a frame lies beyond the logical screen (decoders
    grow the canvas to hold it)."""
    decoded: bool = False
    """The pixels were fully decoded (the deep check ran); ``undecodable`` says how it went."""
    undecodable: str | None = None
    """Why the deep check could not decode the pixels; None when it could or did not run."""


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """Everything the image rules decide from, small and immutable."""

    lookup: Lookup
    detail: str = ""
    """Explains a lookup other than FOUND: the kind of special file, the OS error, the target."""
    real_name: str | None = None
    size: int | None = None
    content: Content | None = None
    """None when the file could not be read."""


EXTENSION_FORMATS = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "bmp": "BMP",
    "gif": "GIF",
    "webp": "WEBP",
    "tif": "TIFF",
    "tiff": "TIFF",
    "ppm": "PPM",
}
"""The format each accepted PicName extension (lower-cased) promises."""
