"""Field rules (ML101 to ML103): the keys a line needs and the types of their values."""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Iterator

from metalint.diagnostics import Severity
from metalint.jsontext import shown, to_json
from metalint.line import LineContext
from metalint.older import OLDER_FORMAT, OLDER_IMAGES
from metalint.registry import (
    Finding,
    Guard,
    Scope,
    guarded,
    older_format,
    rule,
    schema_errors,
)
from metalint.rules.fieldkeys import (
    OPERATION_KEYS,
    OPERATIONS,
    errors_of,
    has_type_error,
    listed_images,
    properties_of,
    replace_value,
)
from metalint.schemacheck import schema_for

_INT_LITERAL = re.compile(r"-?(0|[1-9][0-9]*)")


@rule(
    "ML101",
    "missing-field",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("required")],
)
def missing_field(ctx: LineContext) -> Iterator[Finding]:
    """A required key is missing.

    ## What it does
    Reports a line without OperationType or ProductId, or an ADD line without PicName or
    CustomContent. On a line of the older format: a line without `operator` or `item_id`, or
    an ADD without `pic_list` or `cust_content`.

    ## Why is this bad?
    The service rejects the operation: it cannot tell what to do, to which product, or which
    image to import.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "CustomContent": "k1:v1"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": "k1:v1"}
    ```

    ## The older format
    The service's error list names a missing `pic_list` (`NoPicList`) and a missing
    `item_id` (`NoSpecifiedItemId`). That an older ADD needs `cust_content` is not documented:
    metalint asks for it as the current format asks for CustomContent, so that the migrated
    line is complete.
    """
    schema = schema_for(ctx.format)
    on_add = schema.get("then", {}).get("required", ())
    older = " of the older format" if ctx.format is OLDER_FORMAT else ""
    for error in errors_of(ctx, "required"):
        assert error.key is not None
        when = "on an ADD line" if error.key in on_add else "on every line"
        yield Finding(
            f"missing required key {error.key!r}, required {when}{older}",
            ctx.object_span,
            key=error.key,
        )


@rule(
    "ML102",
    "invalid-operation-type",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    fixable=True,
    triggers=[schema_errors("enum")],
)
def invalid_operation_type(ctx: LineContext) -> Iterator[Finding]:
    """OperationType is neither `ADD` nor `DELETE`.

    ## What it does
    Reports an OperationType string that is not exactly `ADD` or `DELETE`, such as `add`, `Add`
    or `"ADD "`.

    ## Why is this bad?
    The value is case-sensitive; anything else is an unknown operation and the line fails.

    ## Example
    ```jsonl
    {"OperationType": "add", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## The older format
    The older format's `operator` takes the same two values.

    ## Fix
    Rewrites a value that differs only in case or surrounding space.
    """
    for error in errors_of(ctx, "enum"):
        key = error.key
        if key not in OPERATION_KEYS or has_type_error(ctx, key):
            continue
        value = (ctx.obj or {}).get(key)
        assert isinstance(value, str)
        meant = value.strip().upper()
        fix = None
        if meant in OPERATIONS:
            fix = replace_value(ctx, key, f'"{meant}"', f'Change to "{meant}"')
        yield Finding(
            f"{key} {shown(value)} is not ADD or DELETE (the value is case-sensitive)",
            ctx.value_span(key),
            key=key,
            fix=fix,
        )


@rule(
    "ML103",
    "wrong-type",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    fixable=True,
    triggers=[schema_errors("type", "items"), guarded(Guard.FRACTION), older_format()],
)
def wrong_type(ctx: LineContext) -> Iterator[Finding]:
    """A value has the wrong JSON type.

    ## What it does
    Reports a value whose type differs from the one the key takes: a number for ProductId, a
    string for CategoryId, IntAttr or Crop, and so on; and an integer written with a fraction
    or an exponent (`1.0`, `1e3`, `88888888.0`).

    ## Why is this bad?
    The service does not convert types: `"ProductId": 1000` or `"Crop": "false"` make the line
    fail, or worse, `"false"` may be read as true. CategoryId and the integer attributes are
    typed Integer, and JSON writes an integer as digits alone: `1.0` is a number with a
    fraction, which a strict reader of integers rejects.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": 1000, "PicName": "a.jpg", "CustomContent": "", "Crop": "false"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "a.jpg", "CustomContent": "", "Crop": false}
    ```

    ## Fix
    Quotes an integer written where a string is expected, unquotes an integer or a boolean
    written as a string, and writes an integer with a fraction or an exponent as digits alone
    when it is exactly an integer (`1.0` becomes `1`, `1e3` becomes `1000`). A number that is
    not a whole number (`1.5`) has no automatic fix.
    No fix is offered when the value it writes would draw a finding too: `"OperationType": 1`
    quoted is no operation, `"CategoryId": "15"` unquoted no category, `"Crop": "false"`
    beside a Region would contradict it, and on a DELETE Crop is ignored whatever its type.

    ## The older format
    Each key takes the type of its counterpart, and `pic_list` is an array of strings.
    The generator's first version wrote `item_id` as a number (`"item_id": 1000`), which the
    type of ProductId rules out, as the error list's `NoSpecifiedItemId` suggests: the fix
    quotes it.
    """
    props = properties_of(ctx)
    yield from _entries_of_wrong_type(ctx)
    for error in errors_of(ctx, "type"):
        key = error.key
        obj = ctx.obj or {}
        if key is None or key not in obj:
            continue
        expected = props[key]["type"]
        value = obj[key]
        source = ctx.value_source(key)
        fix = None
        if expected == "string" and _INT_LITERAL.fullmatch(source):
            fix = replace_value(ctx, key, to_json(source), f"Quote {source}")
        elif expected == "integer" and isinstance(value, str) and _INT_LITERAL.fullmatch(value):
            fix = replace_value(ctx, key, value, f"Write {value} as a number")
        elif expected == "boolean" and isinstance(value, str):
            word = value.strip().lower()
            if word in ("true", "false"):
                fix = replace_value(ctx, key, word, f"Write {word} as a boolean")
        written = "" if value is None or isinstance(value, bool) else f" {shown(value)}"
        yield Finding(
            f"{key} is {_describe(value)}{written}; it must be {_article(expected)}",
            ctx.value_span(key),
            key=key,
            fix=fix,
        )
    yield from _integers_as_decimals(ctx)


def _entries_of_wrong_type(ctx: LineContext) -> Iterator[Finding]:
    """The entries of pic_list that are no string."""
    for index, value, span in listed_images(ctx):
        if isinstance(value, str):
            continue
        written = "" if value is None or isinstance(value, bool) else f" {shown(value)}"
        yield Finding(
            f"pic_list entry {index + 1} is {_describe(value)}{written}; an image name is a string",
            span,
            key=OLDER_IMAGES,
        )


def _integers_as_decimals(ctx: LineContext) -> Iterator[Finding]:
    """Integer keys whose values parsed as floats that the schema took for integers: the
    JSON Schema type ``integer`` admits ``1.0``, JSON's integer grammar does not."""
    props = properties_of(ctx)
    for key, value in (ctx.obj or {}).items():
        if value.__class__ is not float or key not in props or has_type_error(ctx, key):
            continue
        if not math.isfinite(value):
            continue  # 1e400, which no parser reads as a number: ML007 reports it
        if props[key]["type"] != "integer":
            continue
        source = ctx.value_source(key)
        fraction, exponent = "." in source, "e" in source.lower()
        if not (fraction or exponent):
            continue  # an integer beyond 64 bits, which orjson reads as a float: ML106's
        how = " and ".join(
            word for word, used in (("a fraction", fraction), ("an exponent", exponent)) if used
        )
        digits = _plain_integer(source)
        fix = None if digits is None else replace_value(ctx, key, digits, f"Write {digits}")
        yield Finding(
            f"{key} {source} is written with {how}; an integer is written as digits alone",
            ctx.value_span(key),
            key=key,
            fix=fix,
        )


_DIGITS_UP_TO = 18
"""No integer field takes a longer number (the largest, 88888888, has 8 digits); beyond it
the exact integer is not worth computing (``1e999999999`` has a billion digits)."""


def _plain_integer(source: str) -> str | None:
    """The digits of the JSON number ``source`` when it is exactly an integer."""
    try:
        number = decimal.Decimal(source)
    except decimal.InvalidOperation:
        return None
    if not number.is_finite() or number.adjusted() >= _DIGITS_UP_TO:
        return None
    if number != number.to_integral_value():
        return None
    return str(int(number))


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _article(json_type: str) -> str:
    return {
        "integer": "an integer",
        "string": "a string",
        "boolean": "a boolean (true or false)",
        "array": "an array of image names",
    }[json_type]
