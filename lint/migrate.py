"""Rewriting manifests of the older format in the current one (``metalint migrate``).

Each line of the older format becomes one line per distinct image of its ``pic_list``, in
order: ``operator`` becomes OperationType, ``item_id`` ProductId (quoted when it was written
as a number, as the generator's first version did), ``cat_id``, ``cust_content``,
``int_attr`` and ``str_attr`` their counterparts, and a DELETE without ``pic_list`` a DELETE
of the whole product. Values are carried over as they are, so that a mistake in one is still
reported after the migration, under its new key. Every other line is kept byte for byte: a
line of the current format, a line that mixes the formats (which key counts is not known)
and an older line that names no images to write lines for, the last two reported as left.
A second run changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from metalint.document import split_lines
from metalint.fixfile import replace_unless_changed
from metalint.older import (
    COUNTERPARTS,
    OLDER_IMAGES,
    OLDER_KEYS,
    OLDER_OPERATION,
    OLDER_PRODUCT,
    LineFormat,
    line_format,
)

BOM = b"\xef\xbb\xbf"


class Left(NamedTuple):
    """An older line that was not rewritten, and why."""

    line: int
    why: str


class Migrated(NamedTuple):
    original: bytes
    data: bytes
    migrated: int
    """How many lines of the older format were rewritten."""
    written: int
    """How many lines of the current format they became."""
    left: tuple[Left, ...]


def migrate_data(data: bytes) -> Migrated:
    """``data`` with every line of the older format that can be rewritten in the current one
    rewritten, and every other line as it was."""
    out: list[bytes] = []
    left: list[Left] = []
    migrated = written = 0
    for lineno, raw in enumerate(split_lines(data), start=1):
        bom = BOM if lineno == 1 and raw.startswith(BOM) else b""
        converted = _converted(raw[len(bom) :])
        if isinstance(converted, str):
            left.append(Left(lineno, converted))
        if not isinstance(converted, list):
            out.append(raw)
            continue
        out.append(bom + converted[0])
        out.extend(converted[1:])
        migrated += 1
        written += len(converted)
    return Migrated(data, b"".join(out), migrated, written, tuple(left))


def migrate_file(path: Path, *, write: bool = True) -> Migrated:
    """Migrate the manifest at ``path``; with ``write``, replace it atomically (its
    permissions kept) unless it changed on disk meanwhile (``fixfile.FileChanged``)."""
    before = os.stat(path)
    migrated = migrate_data(path.read_bytes())
    if write and migrated.data != migrated.original:
        replace_unless_changed(path, before, migrated.data)
    return migrated


def _converted(raw: bytes) -> list[bytes] | str | None:
    """The lines an older line becomes, each with its ending; why an older line cannot be
    rewritten; or None for a line that is not of the older format."""
    body, ending = _without_ending(raw)
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        if any(b'"' + key.encode() + b'"' in body for key in OLDER_KEYS):
            return "not one JSON object that can be read (see what metalint reports there)"
        return None
    if not isinstance(obj, dict):
        return None
    form = line_format(obj)
    if form is LineFormat.CURRENT:
        return None
    if form is LineFormat.MIXED:
        return "the line mixes the two formats, and which of two keys counts is not known"
    if OLDER_OPERATION not in obj or OLDER_PRODUCT not in obj:
        return f"a line without {OLDER_OPERATION!r} or {OLDER_PRODUCT!r} is no operation"
    images: list[Any] = [None]
    if OLDER_IMAGES in obj:
        listed = obj[OLDER_IMAGES]
        if not isinstance(listed, list) or not listed:
            return f"{OLDER_IMAGES!r} is not a list of image names"
        images = list(_distinct(listed))
    elif obj[OLDER_OPERATION] == "ADD":
        return f"an ADD without {OLDER_IMAGES!r} names no image"
    lines = [_text(_current(obj, image)) for image in images]
    between = ending or b"\n"
    return [line + between for line in lines[:-1]] + [lines[-1] + ending]


def _current(obj: dict[str, Any], image: Any) -> dict[str, Any]:
    """One operation of an older line, with the current format's keys: the operation, the
    product and the image first, the other keys in their order."""
    product = obj[OLDER_PRODUCT]
    if isinstance(product, int) and not isinstance(product, bool):
        product = str(product)
    fields = {"OperationType": obj[OLDER_OPERATION], "ProductId": product}
    if image is not None:
        fields["PicName"] = image
    for key, value in obj.items():
        if key not in (OLDER_OPERATION, OLDER_PRODUCT, OLDER_IMAGES):
            fields[COUNTERPARTS.get(key, key)] = value
    return fields


def _distinct(values: list[Any]) -> list[Any]:
    """Each value once, in order (an image named twice in one pic_list is one image)."""
    seen: list[Any] = []
    for value in values:
        if not any(value == other and type(value) is type(other) for other in seen):
            seen.append(value)
    return seen


def _text(fields: dict[str, Any]) -> bytes:
    # A lone surrogate, which UTF-8 cannot carry, stays the escape it was written as: only
    # strings can hold one, and Python's backslash escape of it is JSON's.
    return json.dumps(fields, ensure_ascii=False).encode("utf-8", "backslashreplace")


def _without_ending(raw: bytes) -> tuple[bytes, bytes]:
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], b"\n"
    return raw, b""
