"""The on-disk cache of header facts, keyed by a file's real path, size and mtime.

One JSON file, replaced atomically; a file that fails validation is ignored, never trusted.
Two runs sharing it may lose each other's newest entries (the last writer wins), never corrupt it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from metalint.images.lookup import FileKey
from metalint.images.model import Content

CACHE_FILE = "images-v1.json"
_VERSION = 1
"""Raise it whenever the header readers change what they report: old entries are then ignored."""
_MAX_ENTRIES = 1_000_000


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "metalint"


class ContentCache:
    def __init__(self, directory: Path) -> None:
        self.path = directory / CACHE_FILE
        self._entries = _load(self.path)
        self._new: dict[str, list[Any]] = {}

    def get(self, key: FileKey) -> Content | None:
        entry = self._new.get(key.path) or self._entries.get(key.path)
        if entry is None or entry[0] != key.size or entry[1] != key.mtime_ns:
            return None
        return Content(*entry[2:])

    def put(self, key: FileKey, content: Content) -> None:
        self._new[key.path] = [
            key.size,
            key.mtime_ns,
            content.format,
            content.width,
            content.height,
            content.orientation,
            content.corrupt,
        ]

    def save(self) -> None:
        """Merge the new entries into the file on disk; a failure to write is not an error."""
        if not self._new:
            return
        entries = _load(self.path)
        entries.update(self._new)
        while len(entries) > _MAX_ENTRIES:
            del entries[next(iter(entries))]
        data = orjson.dumps({"version": _VERSION, "entries": entries})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".images-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        self._entries, self._new = entries, {}


def _load(path: Path) -> dict[str, list[Any]]:
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        return {}
    entries = document.get("entries")
    if not isinstance(entries, dict):
        return {}
    return {key: value for key, value in entries.items() if _valid(value)}


def _valid(entry: object) -> bool:
    if not isinstance(entry, list) or len(entry) != 7:
        return False
    size, mtime, fmt, width, height, orientation, corrupt = entry
    return (
        _is_int(size)
        and _is_int(mtime)
        and isinstance(fmt, str | None)
        and all(value is None or _is_int(value) for value in (width, height, orientation))
        and isinstance(corrupt, str | None)
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
