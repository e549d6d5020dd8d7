"""The JSON Schema of one increment.meta line, shipped as package data."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

LINE_SCHEMA_FILE = "increment-line.schema.json"


@functools.cache
def line_schema() -> dict[str, Any]:
    """The line schema as a fresh-parsed mapping (cached: treat it as read-only)."""
    text = resources.files(__name__).joinpath(LINE_SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema

