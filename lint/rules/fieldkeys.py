"""What the field rules share: the keys of each role, the schema a line is held to, and the
schema errors and edits of one key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from metalint.diagnostics import Fix, Span, TextEdit, new_record
from metalint.line import LineContext
from metalint.older import OLDER_FORMAT, OLDER_IMAGES
from metalint.schema import line_schema
from metalint.schemacheck import SchemaError, schema_for

OPERATIONS = ("ADD", "DELETE")
CATEGORIES = {
    0: "Tops", 1: "Dress", 2: "Bottoms", 3: "Bag", 4: "Shoes", 5: "Accessories", 6: "Snacks",
    7: "Makeups", 8: "Bottle drink", 9: "Furniture", 20: "Toy", 21: "Underwear",
    22: "Digital device", 88888888: "Others",
}  # fmt: skip
"""The name of each category, as the seed lists them: the language server shows them."""
DELETE_KEYS = ("OperationType", "ProductId", "PicName", "operator", "item_id", "pic_list")
"""The keys a DELETE line uses, in either format; anything else on a DELETE line is ignored by
the service."""
OPERATION_KEYS = ("OperationType", "operator")
CATEGORY_KEYS = ("CategoryId", "cat_id")


def known_keys() -> list[str]:
    return list(line_schema()["properties"])


def properties_of(ctx: LineContext) -> dict[str, Any]:
    """The properties of the schema the line is checked against (that of its format)."""
    properties: dict[str, Any] = schema_for(ctx.format)["properties"]
    return properties


def listed_images(ctx: LineContext) -> list[tuple[int, Any, Span]]:
    """Each entry of an older line's pic_list, its place and where it stands, when the schema
    found an entry wrong; none otherwise."""
    if ctx.format is not OLDER_FORMAT:
        return []
    if not any(e.kind == "items" and e.key == OLDER_IMAGES for e in ctx.schema_errors):
        return []
    images = (ctx.obj or {}).get(OLDER_IMAGES)
    if not isinstance(images, list):
        return []
    entries = ctx.elements(OLDER_IMAGES)
    whole = ctx.value_span(OLDER_IMAGES)
    return [
        (at, value, ctx.span(entries[at].start, entries[at].end) if at < len(entries) else whole)
        for at, value in enumerate(images)
    ]


def errors_of(ctx: LineContext, *kinds: str) -> Iterator[SchemaError]:
    return (e for e in ctx.schema_errors if e.kind in kinds)


def has_type_error(ctx: LineContext, key: str | None) -> bool:
    return any(e.kind == "type" and e.key == key for e in ctx.schema_errors)


def replace_value(ctx: LineContext, key: str, new_text: str, description: str) -> Fix:
    edit = new_record(TextEdit, (ctx.value_span(key), new_text))
    return new_record(Fix, (description, (edit,), True))
