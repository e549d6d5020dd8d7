"""What stands where on one manifest line: the keys and values that hover, completion and
inlay hints point at, located by the engine's own line scanner (``LineContext``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metalint.config import Config
from metalint.line import LineContext
from metalint.older import COUNTERPARTS, OLDER_KEYS
from metalint.rules.fieldkeys import CATEGORIES
from metalint.schema import line_schema, older_line_schema


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


def schema_properties(older: bool = False) -> dict[str, dict[str, Any]]:
    """The properties of the line schema, or of the older format's: each key's documentation
    (read-only: the engine's own copy)."""
    properties: dict[str, dict[str, Any]] = (older_line_schema() if older else line_schema())[
        "properties"
    ]
    return properties


def _required_for_add(schema: dict[str, Any]) -> tuple[str, ...]:
    return (*schema["required"], *schema["then"]["required"])


REQUIRED_FOR_ADD = _required_for_add(line_schema())
"""The keys an ADD line needs, in the order lines usually give them (domain.md, section 2),
as the schema lists them."""
OLDER_REQUIRED_FOR_ADD = _required_for_add(older_line_schema())
"""The same in the older format (domain.md, section 7)."""
_REQUIRED = (*line_schema()["required"], *older_line_schema()["required"])
"""The keys every line needs, in either format."""


def field_doc(key: str) -> str | None:
    """Markdown for a key of either format: what the schema says of it, its type and
    limits."""
    older = key in OLDER_KEYS
    spec = schema_properties(older).get(key)
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
        ("minItems", "{} or more entries"),
    ):
        if name in spec:
            facts.append(label.format(spec[name]))
    if key == "Crop":
        facts.append("default: `true`")
    if key in _REQUIRED:
        facts.append("required")
    elif key in REQUIRED_FOR_ADD or key in OLDER_REQUIRED_FOR_ADD:
        facts.append("required for ADD")
    else:
        facts.append("optional")
    if older:
        facts.append(f"older format: `{COUNTERPARTS[key]}` in the current one")
    return f"**{key}** ({'; '.join(facts)})\n\n{spec.get('description', '')}"


def list_entries(
    path: Path, lineno: int, raw: bytes, key: str, config: Config
) -> list[tuple[Any, int, int]]:
    """The entries of the array that ``key`` holds (the older format's ``pic_list``), each
    with the 0-based character range it takes; none when the value is no array."""
    ctx = LineContext.of(str(path), lineno, raw, config)
    return [(entry.value, entry.start, entry.end) for entry in ctx.elements(key)]


def category_name(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return CATEGORIES.get(value)
