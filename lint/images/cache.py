"""The on-disk cache of header facts, keyed by a file's real path, size, mtime, ctime and inode.

One JSON file, replaced atomically; a file that fails validation is ignored, never trusted.
Two runs sharing it may lose each other's newest entries (the last writer wins), never corrupt it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from metalint.atomic import write_atomically
from metalint.images.lookup import FileKey
from metalint.images.model import Content

CACHE_FILE = "images-v3.json"
_VERSION = 3
"""Raise it whenever the header readers change what they report: old entries are then ignored."""
_MAX_ENTRIES = 1_000_000


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "metalint"


class ContentCache:
    """The entries of the file, each validated when it is used (a warm run of many images
    should not pay for checking entries it never reads) and again before it is written back."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / CACHE_FILE
        self._entries: dict[str, Any] = _load(self.path)
        self._new: dict[str, list[Any]] = {}

    def get(self, key: FileKey) -> Content | None:
        entry = self._new.get(key.path) or self._entries.get(key.path)
        if entry is None or not _valid(entry):
            return None
        if entry[:4] != [key.size, key.mtime_ns, key.ctime_ns, key.inode]:
            return None
        return Content(*entry[4:])

    def put(self, key: FileKey, content: Content) -> None:
        self._new[key.path] = [
            key.size,
            key.mtime_ns,
            key.ctime_ns,
            key.inode,
            *(getattr(content, name) for name in _FIELDS),
        ]

    def save(self) -> None:
        """Merge the new entries into the file on disk; a failure to write is not an error."""
        if not self._new:
            return
        entries = {k: v for k, v in _load(self.path).items() if _valid(v)}
        entries.update(self._new)
        while len(entries) > _MAX_ENTRIES:
            del entries[next(iter(entries))]
        if write_atomically(
            self.path, orjson.dumps({"version": _VERSION, "entries": entries}), private=True
        ):
            self._entries, self._new = entries, {}


def _load(path: Path) -> dict[str, Any]:
    """The entries of the cache file; empty when the file is missing or not a cache at all."""
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        return {}
    entries = document.get("entries")
    if not isinstance(entries, dict):
        return {}
    return entries


_FIELDS = Content.__dataclass_fields__.keys()
"""The facts kept for each file, in the order of the entry (after its four key values)."""
_INT = {"width", "height", "orientation", "hidden_orientation", "canvas_width", "canvas_height"}
_KINDS = tuple(bool if name == "decoded" else int if name in _INT else str for name in _FIELDS)
_LENGTH = 4 + len(_KINDS)


def _valid(entry: Any) -> bool:
    # ``type(x) is int`` rather than isinstance: a bool is not a size. It runs per image.
    if type(entry) is not list or len(entry) != _LENGTH:
        return False
    if not all(type(value) is int for value in entry[:4]):
        return False
    return all(
        value is None or type(value) is kind for value, kind in zip(entry[4:], _KINDS, strict=True)
    )
