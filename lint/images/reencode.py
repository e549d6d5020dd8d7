"""Re-encoding an image with Pillow for ``fix-images``: turned as its Orientation says, scaled,
or made smaller, in its own format with its metadata (EXIF less Orientation, ICC profile, PNG
text) and, for JPEG, its own quantization tables. Pillow is imported here, on first use."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from metalint.images.exifedit import exif_without_orientation
from metalint.images.model import MAX_BYTES

if TYPE_CHECKING:
    from PIL import Image


class CannotEncode(ValueError):
    """The image cannot be re-encoded as asked (an animation, a format that cannot shrink)."""


@dataclass(frozen=True, slots=True)
class Encoded:
    data: bytes
    size: tuple[int, int]
    how: str
    """How it was saved, for the report: "its own quantization tables", "quality 83"."""


def reencode(
    data: bytes, fmt: str, *, orientation: int | None, size: tuple[int, int] | None
) -> Encoded:
    """The image in ``data`` turned as ``orientation`` says (2 to 8) and scaled to ``size``,
    saved in ``fmt`` as close to the original as Pillow allows."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as original:
        _refuse_animation(original)
        original.load()
        options = _kept_options(original, fmt)
        image: Image.Image = original
        method = _transpose(orientation)
        if fmt == "TIFF" and 0x0112 not in getattr(original, "tag_v2", {0x0112: None}):
            method = None  # Pillow 10 and later turn a TIFF as it loads and drop the tag
        if method is not None:
            image = image.transpose(method)
        if size is not None and size != image.size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        if image is original:
            # Saved as it was loaded (a TIFF that Pillow turned itself): a plain copy, so that
            # no layout of the old file is carried over.
            image = original.copy()
        out = _save(image, fmt, options)
        how = "its own quantization tables" if "qtables" in options else "the same settings"
        return Encoded(out, image.size, how)


def shrink(data: bytes, fmt: str) -> Encoded:
    """``data`` re-encoded at the same pixel size to fit within MAX_BYTES: JPEG and WEBP at
    the highest quality that fits, PNG and GIF optimized, TIFF deflated; ``CannotEncode``
    when that is not enough or the format cannot be made smaller."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as original:
        _refuse_animation(original)
        options = _kept_options(original, fmt)
        options.pop("qtables", None)
        options.pop("quality", None)
        original.load()
        if fmt in ("JPEG", "WEBP"):
            return _highest_quality(original, fmt, options)
        extra = _SMALLER.get(fmt)
        if extra is None:
            raise CannotEncode(f"a {fmt} image cannot be made smaller without another format")
        out = _save(original, fmt, {**options, **extra})
        if len(out) > MAX_BYTES:
            raise CannotEncode(f"optimized, it is still {len(out):,} bytes")
        return Encoded(out, original.size, "optimized")


_SMALLER: dict[str, dict[str, Any]] = {
    "PNG": {"optimize": True},
    "GIF": {"optimize": True},
    "TIFF": {"compression": "tiff_adobe_deflate"},
}


def _highest_quality(image: Image.Image, fmt: str, options: dict[str, Any]) -> Encoded:
    low, high, best = 5, 95, None
    while low <= high:
        quality = (low + high) // 2
        out = _save(image, fmt, {**options, "quality": quality})
        if len(out) <= MAX_BYTES:
            best, low = (out, quality), quality + 1
        else:
            high = quality - 1
    if best is None:
        raise CannotEncode(f"even at quality 5 it is over {MAX_BYTES:,} bytes")
    return Encoded(best[0], image.size, f"quality {best[1]}")


def _refuse_animation(image: Image.Image) -> None:
    if getattr(image, "n_frames", 1) > 1:
        raise CannotEncode("an animation is not re-encoded (its frames would be lost)")


def _transpose(orientation: int | None) -> Any:
    """The transpose that turns the stored pixels as EXIF ``orientation`` says; None for 1."""
    from PIL import Image

    t = Image.Transpose
    methods = {
        2: t.FLIP_LEFT_RIGHT,
        3: t.ROTATE_180,
        4: t.FLIP_TOP_BOTTOM,
        5: t.TRANSPOSE,
        6: t.ROTATE_270,
        7: t.TRANSVERSE,
        8: t.ROTATE_90,
    }
    return methods.get(orientation or 1)


def _kept_options(image: Image.Image, fmt: str) -> dict[str, Any]:
    """What to pass to ``save`` so that the new file keeps what the original held."""
    options: dict[str, Any] = {}
    exif = image.info.get("exif")
    if fmt == "TIFF":
        # A TIFF's EXIF is its own IFD0: what describes the image is kept, what lays out the
        # pixels is the new file's to write (Pillow would copy the old sizes over the new).
        tags = image.getexif()
        for group in _TIFF_GROUPS:
            tags.get_ifd(group)
        for tag in _TIFF_LAYOUT & set(tags):
            del tags[tag]
        options["exif"] = tags
        exif = None
    if isinstance(exif, bytes) and exif:
        kept = exif_without_orientation(exif)
        if kept is not None:
            options["exif"] = kept
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        options["qtables"] = image.quantization  # type: ignore[attr-defined]
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling
        if image.info.get("progressive"):
            options["progressive"] = True
    elif fmt == "PNG":
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        for key, value in getattr(image, "text", {}).items():
            text.add_text(key, value)
        options["pnginfo"] = text
    elif fmt == "WEBP":
        options["lossless"] = bool(image.info.get("lossless"))
        options["quality"] = 90
    elif fmt == "TIFF":
        compression = image.info.get("compression")
        if compression and compression != "raw":
            options["compression"] = compression
    return options


_TIFF_GROUPS = (0x8769, 0x8825)
"""The EXIF and GPS sub-IFDs, loaded before the file is closed so that they are kept."""
_TIFF_LAYOUT = frozenset(
    {256, 257, 258, 259, 262, 273, 274, 277, 278, 279, 284, 317, 320, 322, 323, 324, 325, 338, 339}
)
"""Tags of a TIFF's IFD0 that describe how its pixels are stored (and Orientation, 274)."""


def _save(image: Image.Image, fmt: str, options: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
