"""The JSON Schemas of one increment.meta line, in the current format and in the older one,
shipped as package data."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

LINE_SCHEMA_FILE = "increment-line.schema.json"
OLDER_LINE_SCHEMA_FILE = "increment-line-older.schema.json"


@functools.cache
def line_schema() -> dict[str, Any]:
    """The line schema as a fresh-parsed mapping (cached: treat it as read-only)."""
    return _read(LINE_SCHEMA_FILE)


@functools.cache
def older_line_schema() -> dict[str, Any]:
    """The schema of a line in the older format (cached: treat it as read-only)."""
    return _read(OLDER_LINE_SCHEMA_FILE)


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
