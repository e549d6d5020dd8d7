"""Completion: the keys a line still lacks, those of the older format on a line written in
it, and the values a key takes (OperationType, CategoryId with the categories' names, Crop,
PicName and the entries of pic_list from the image folder).

The line being typed is rarely valid JSON, so the place is read from the text before the
cursor, not from a parse: after ``{`` or ``,`` (and maybe an opening quote) a key is wanted;
after ``"Key":`` (and maybe an opening quote) a value of that key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from metalint.engine import SKIPPED_FOLDERS
from metalint.images.model import EXTENSION_FORMATS
from metalint.lsp.lines import (
    OLDER_REQUIRED_FOR_ADD,
    REQUIRED_FOR_ADD,
    field_doc,
    schema_properties,
)
from metalint.older import OLDER_KEYS
from metalint.rules.fieldkeys import CATEGORIES, CATEGORY_KEYS, OPERATION_KEYS

_KEY_PLACE = re.compile(r'(?:^|[{,])\s*("?)([A-Za-z0-9_]*)$')
_VALUE_PLACE = re.compile(r'"([A-Za-z0-9_]+)"\s*:\s*("?)([^"]*)$')
_PRESENT = re.compile(r'"([A-Za-z0-9_]+)"\s*:')
_LIST_ENTRY_PLACE = re.compile(r'"pic_list"\s*:\s*\[(?:\s*"[^"]*"\s*,)*\s*("?)([^"]*)$')

ADD_LINE = '{"OperationType": "ADD", "ProductId": "$1", "PicName": "$2", "CustomContent": "$3"}'

IMAGES_LISTED_UP_TO = 5000
"""Image names offered at most: a bucket folder may hold millions of images."""


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    insert: str
    """The text that replaces ``[start, cursor)``; a snippet when ``snippet``."""
    start: int
    """0-based character index in the line where the replaced text begins."""
    detail: str = ""
    doc: str | None = None
    sort: str = ""
    snippet: bool = False


def _value_snippet(key: str, older: bool) -> str:
    kind = schema_properties(older).get(key, {}).get("type")
    if kind == "string":
        return '"$1"'
    if kind == "boolean":
        return "${1|true,false|}"
    if kind == "array":
        return '["$1"]'
    return "$1"


def complete(line: str, index: int, images_root: Path, snippets: bool) -> list[Item]:
    """What may be typed at ``index`` (0-based) of ``line``."""
    before = line[:index]
    entry = _LIST_ENTRY_PLACE.search(before)
    if entry is not None:
        quote, typed = entry.group(1), entry.group(2)
        return _images(typed, index - len(typed) - len(quote), images_root)
    value = _VALUE_PLACE.search(before)
    if value is not None:
        key, quote, typed = value.group(1), value.group(2), value.group(3)
        return _values(key, bool(quote), typed, index - len(typed) - len(quote), images_root)
    place = _KEY_PLACE.search(before)
    if place is None:
        return []
    start = index - len(place.group(2)) - len(place.group(1))
    present = set(_PRESENT.findall(line))
    older = not OLDER_KEYS.isdisjoint(present)  # offer the older format's keys on its lines
    needed = OLDER_REQUIRED_FOR_ADD if older else REQUIRED_FOR_ADD
    items = []
    for rank, key in enumerate(schema_properties(older)):
        if key in present:
            continue
        required = key in needed
        body = f'"{key}": ' + (_value_snippet(key, older) if snippets else "")
        items.append(
            Item(
                key,
                body,
                start,
                detail="required for ADD" if required else "optional",
                doc=field_doc(key),
                sort=f"{0 if required else 1}{rank:02}",
                snippet=snippets,
            )
        )
    if not line[:start].strip() and snippets:
        items.insert(
            0,
            Item(
                "ADD line",
                ADD_LINE,
                start,
                detail="a whole ADD line",
                sort="00",
                snippet=True,
            ),
        )
    return items


def _values(key: str, quoted: bool, typed: str, start: int, images_root: Path) -> list[Item]:
    if key in OPERATION_KEYS:
        return [Item(op, f'"{op}"', start, sort=str(i)) for i, op in enumerate(("ADD", "DELETE"))]
    if key in CATEGORY_KEYS and not quoted:
        return [
            Item(str(code), str(code), start, detail=name, sort=f"{i:02}")
            for i, (code, name) in enumerate(CATEGORIES.items())
        ]
    if key == "Crop" and not quoted:
        return [Item(v, v, start, sort=str(i)) for i, v in enumerate(("true", "false"))]
    if key == "PicName":
        return _images(typed, start, images_root)
    return []


def _images(typed: str, start: int, images_root: Path) -> list[Item]:
    return [
        Item(name, f'"{name}"', start, detail="image", sort=name)
        for name in image_names(images_root, typed)
    ]


def image_names(root: Path, typed: str) -> list[str]:
    """Image files under ``root``, as PicNames (relative, with ``/``), that start with what
    was typed; the folder part of ``typed`` narrows the walk to that folder."""
    folder, _, _ = typed.rpartition("/")
    base = root / folder if folder else root
    found: list[str] = []
    for current, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(files):
            if name.rpartition(".")[2].lower() not in EXTENSION_FORMATS:
                continue
            relative = Path(current, name).relative_to(root).as_posix()
            if relative.startswith(typed):
                found.append(relative)
                if len(found) >= IMAGES_LISTED_UP_TO:
                    return found
    return found
