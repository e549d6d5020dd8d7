"""Removing the EXIF Orientation tag from a file without touching its compressed image data:
the APP1 segment of a JPEG, the ``eXIf`` chunk of a PNG, the ``EXIF`` chunk of a WEBP, the
IFD0 entry of a TIFF. Every other byte stays as it was."""

from __future__ import annotations

import io
import struct
import zlib

import piexif

from metalint.images.tiff import ORIENTATION

EXIF_PREFIX = b"Exif\x00\x00"


class CannotEdit(ValueError):
    """The metadata cannot be rewritten (piexif refuses the EXIF, an unexpected layout)."""


def exif_without_orientation(exif: bytes) -> bytes | None:
    """``exif`` (with its ``Exif\\0\\0`` prefix or without) re-made without Orientation,
    with the prefix; None when nothing else is left in it."""
    try:
        tags = piexif.load(exif if exif.startswith(EXIF_PREFIX) else EXIF_PREFIX + exif)
        tags["0th"].pop(ORIENTATION, None)
        if not any(tags.get(ifd) for ifd in ("0th", "Exif", "GPS", "Interop", "1st")):
            return None
        if not tags.get("thumbnail"):
            tags.pop("1st", None)  # piexif refuses IFD1 without its thumbnail
        blob: bytes = piexif.dump(tags)
    except Exception as exc:
        # piexif raises what its parser meets (ValueError, struct.error, KeyError, ...).
        raise CannotEdit(f"piexif cannot rewrite its EXIF ({type(exc).__name__})") from exc
    return blob if blob.startswith(EXIF_PREFIX) else EXIF_PREFIX + blob


def remove_orientation(fmt: str, data: bytes) -> bytes:
    """``data`` without its Orientation tag; raises ``CannotEdit`` when that cannot be done
    in place."""
    if fmt == "JPEG":
        return _jpeg(data)
    if fmt == "PNG":
        return _png(data)
    if fmt == "WEBP":
        return _webp(data)
    if fmt == "TIFF":
        return _tiff(data)
    raise CannotEdit(f"a {fmt} image has no EXIF Orientation to remove")


def _jpeg(data: bytes) -> bytes:
    exif = piexif_segment(data)
    if exif is None:
        raise CannotEdit("no EXIF segment")
    blob = exif_without_orientation(exif)
    out = io.BytesIO()
    if blob is None:
        piexif.remove(data, out)
    else:
        piexif.insert(blob, data, out)
    return out.getvalue()


def piexif_segment(data: bytes) -> bytes | None:
    """The payload of a JPEG's EXIF APP1 segment."""
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        (length,) = struct.unpack_from(">H", data, offset + 2)
        if marker == 0xE1 and data[offset + 4 : offset + 10] == EXIF_PREFIX:
            return data[offset + 4 : offset + 2 + length]
        if marker == 0xDA:
            return None
        offset += 2 + length
    return None


def _png(data: bytes) -> bytes:
    offset = 8
    while offset + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, offset)
        end = offset + 12 + length
        if kind == b"eXIf":
            blob = exif_without_orientation(data[offset + 8 : end - 4])
            chunk = b"" if blob is None else _png_chunk(b"eXIf", blob[len(EXIF_PREFIX) :])
            return data[:offset] + chunk + data[end:]
        if kind == b"IEND":
            break
        offset = end
    raise CannotEdit("no eXIf chunk")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


_VP8X_EXIF = 0x08


def _webp(data: bytes) -> bytes:
    offset = 12
    while offset + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, offset)
        end = offset + 8 + length + (length & 1)
        if kind == b"EXIF":
            blob = exif_without_orientation(data[offset + 8 : offset + 8 + length])
            chunk = b""
            if blob is not None:
                body = blob[len(EXIF_PREFIX) :]
                chunk = b"EXIF" + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1)
            out = bytearray(data[:offset] + chunk + data[end:])
            struct.pack_into("<I", out, 4, len(out) - 8)
            if blob is None and out[12:16] == b"VP8X":
                out[20] &= ~_VP8X_EXIF & 0xFF
            return bytes(out)
        offset = end
    raise CannotEdit("no EXIF chunk")


def _tiff(data: bytes) -> bytes:
    """Drop the entry from IFD0 where it stands: the entries after it move up, the count
    goes down by one, and the twelve bytes freed at the end are zeroed."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None or data[2:4] not in (b"*\x00", b"\x00*"):
        raise CannotEdit("not a classic TIFF")
    (ifd,) = struct.unpack_from(order + "I", data, 4)
    (count,) = struct.unpack_from(order + "H", data, ifd)
    entries_end = ifd + 2 + 12 * count
    if entries_end + 4 > len(data):
        raise CannotEdit("IFD0 runs past the end of the file")
    entries = [data[ifd + 2 + 12 * i : ifd + 14 + 12 * i] for i in range(count)]
    kept = [e for e in entries if struct.unpack_from(order + "H", e)[0] != ORIENTATION]
    if len(kept) == count:
        raise CannotEdit("no Orientation entry")
    next_ifd = data[entries_end : entries_end + 4]
    freed = 12 * (count - len(kept))
    block = struct.pack(order + "H", len(kept)) + b"".join(kept) + next_ifd + bytes(freed)
    return data[:ifd] + block + data[entries_end + 4 :]
