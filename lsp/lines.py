"""What stands where on one manifest line: the keys and values that hover, completion and
inlay hints point at, located by the engine's own line scanner (``LineContext``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from metalint.config import Config
from metalint.line import LineContext
from metalint.rules.fieldkeys import CATEGORIES


@dataclass(frozen=True, slots=True)
class Member:
    """One key of the line's object, with 0-based character offsets in the line's text."""

    key: str
    value: Any
    key_start: int
    key_end: int
    value_start: int
    value_end: int


def members(path: Path, lineno: int, raw: bytes, config: Config) -> list[Member]:
    """The members of a line that is a JSON object, in text order; none otherwise."""
    ctx = LineContext.of(str(path), lineno, raw, config)
    obj = ctx.obj
    if obj is None:
        return []
    found = []
    for key, value in obj.items():
        offsets = ctx.offsets(key)
        if offsets is not None:
            found.append(Member(key, value, *offsets))
    return sorted(found, key=lambda m: m.key_start)


@cache
def schema_properties() -> dict[str, dict[str, Any]]:
    """The line schema's properties: the documentation of each key."""
    text = resources.files("metalint.schema").joinpath("increment-line.schema.json").read_text()
    properties: dict[str, dict[str, Any]] = json.loads(text)["properties"]
    return properties


REQUIRED_FOR_ADD = ("OperationType", "ProductId", "PicName", "CustomContent")
"""The keys an ADD line needs, in the order lines usually give them (domain.md, section 2)."""


def field_doc(key: str) -> str | None:
    """Markdown for a key: what the schema says of it, its type and limits."""
    spec = schema_properties().get(key)
    if spec is None:
        return None
    facts = [f"type: `{spec.get('type', 'any')}`"]
    if "enum" in spec:
        facts.append("one of " + ", ".join(f"`{json.dumps(v)}`" for v in spec["enum"]))
    for name, label in (
        ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"),
        ("minimum", "at least {}"),
        ("maximum", "at most {}"),
    ):
        if name in spec:
            facts.append(label.format(spec[name]))
    if key == "Crop":
        facts.append("default: `true`")
    required = "required for ADD" if key in REQUIRED_FOR_ADD else "optional"
    if key in ("OperationType", "ProductId"):
        required = "required"
    facts.append(required)
    return f"**{key}** ({'; '.join(facts)})\n\n{spec.get('description', '')}"


def category_name(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return CATEGORIES.get(value)
