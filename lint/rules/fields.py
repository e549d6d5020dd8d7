"""Field rules (ML1xx): the keys and values of one line, checked against the line schema."""

from __future__ import annotations

import decimal
import difflib
import functools
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from metalint.diagnostics import Fix, Related, Severity, Span, TextEdit
from metalint.jsontext import Member, shown, to_json
from metalint.line import LineContext
from metalint.older import COUNTERPARTS, CURRENT_KEYS, OLDER_IMAGES, OLDER_KEYS, LineFormat
from metalint.region import REGION, less
from metalint.registry import (
    Finding,
    Fragment,
    Guard,
    Scope,
    guarded,
    older_format,
    rule,
    schema_errors,
    unclean,
)
from metalint.schema import line_schema
from metalint.schemacheck import SchemaError, schema_for
from metalint.service import ServiceProfile

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
STRATTR_FORBIDDEN = "\\¥$&%"
_INT_LITERAL = re.compile(r"-?(0|[1-9][0-9]*)")


def known_keys() -> list[str]:
    return list(line_schema()["properties"])


def _properties(ctx: LineContext) -> dict[str, Any]:
    """The properties of the schema the line is checked against (that of its format)."""
    properties: dict[str, Any] = schema_for(ctx.format)["properties"]
    return properties


def _listed_images(ctx: LineContext) -> list[tuple[int, Any, Span]]:
    """Each entry of an older line's pic_list, its place and where it stands, when the schema
    found an entry wrong; none otherwise."""
    if ctx.format is not LineFormat.OLDER:
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


def _errors(ctx: LineContext, *kinds: str) -> Iterator[SchemaError]:
    return (e for e in ctx.schema_errors if e.kind in kinds)


def _has_type_error(ctx: LineContext, key: str | None) -> bool:
    return any(e.kind == "type" and e.key == key for e in ctx.schema_errors)


def _replace_value(ctx: LineContext, key: str, new_text: str, description: str) -> Fix:
    return Fix(description, (TextEdit(ctx.value_span(key), new_text),))


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
    older = " of the older format" if ctx.format is LineFormat.OLDER else ""
    for error in _errors(ctx, "required"):
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
    for error in _errors(ctx, "enum"):
        key = error.key
        if key not in OPERATION_KEYS or _has_type_error(ctx, key):
            continue
        value = (ctx.obj or {}).get(key)
        assert isinstance(value, str)
        meant = value.strip().upper()
        fix = None
        if meant in OPERATIONS:
            fix = _replace_value(ctx, key, f'"{meant}"', f'Change to "{meant}"')
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
    props = _properties(ctx)
    yield from _entries_of_wrong_type(ctx)
    for error in _errors(ctx, "type"):
        key = error.key
        obj = ctx.obj or {}
        if key is None or key not in obj:
            continue
        expected = props[key]["type"]
        value = obj[key]
        source = ctx.value_source(key)
        fix = None
        if expected == "string" and _INT_LITERAL.fullmatch(source):
            fix = _replace_value(ctx, key, to_json(source), f"Quote {source}")
        elif expected == "integer" and isinstance(value, str) and _INT_LITERAL.fullmatch(value):
            fix = _replace_value(ctx, key, value, f"Write {value} as a number")
        elif expected == "boolean" and isinstance(value, str):
            word = value.strip().lower()
            if word in ("true", "false"):
                fix = _replace_value(ctx, key, word, f"Write {word} as a boolean")
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
    for index, value, span in _listed_images(ctx):
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
    props = _properties(ctx)
    for key, value in (ctx.obj or {}).items():
        if value.__class__ is not float or key not in props or _has_type_error(ctx, key):
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
        fix = None if digits is None else _replace_value(ctx, key, digits, f"Write {digits}")
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


@rule(
    "ML104",
    "invalid-length",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("minLength", "maxLength", "minItems", "items")],
)
def invalid_length(ctx: LineContext) -> Iterator[Finding]:
    """A string value is empty or too long.

    ## What it does
    Reports an empty ProductId or PicName, and values longer than their limit: ProductId and
    PicName 256 characters, CustomContent 4096, StrAttr to StrAttr4 128. Characters are counted
    as Unicode code points, not bytes.

    ## Why is this bad?
    The service rejects the line.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```

    ## The older format
    Each key has the limit of its counterpart (`item_id` 256, `cust_content` 4096, `str_attr`
    128) and each image name of `pic_list` the limits of PicName; no document gives the older
    format's own. An empty `pic_list` is reported too: on an ADD it names no image, and on a
    DELETE it is not known whether it deletes nothing or the whole product (leave it out for
    the whole product).
    """
    props = _properties(ctx)
    yield from _entries_of_wrong_length(ctx, props)
    for error in _errors(ctx, "minLength", "maxLength", "minItems"):
        key = error.key
        if key is None:
            continue
        if error.kind == "minItems":
            yield Finding(
                f"{key} is empty; it needs at least one image name (a DELETE without "
                f"{key} deletes every image of the product)",
                ctx.value_span(key),
                key=key,
            )
            continue
        value = (ctx.obj or {})[key]
        if error.kind == "minLength":
            message = f"{key} is empty; it needs at least 1 character"
        else:
            limit = props[key]["maxLength"]
            message = f"{key} is {len(value)} characters long; at most {limit} are allowed"
        yield Finding(message, ctx.value_span(key), key=key)


def _entries_of_wrong_length(ctx: LineContext, props: dict[str, Any]) -> Iterator[Finding]:
    """The image names of pic_list that are empty or longer than a PicName may be."""
    limit = props[OLDER_IMAGES]["items"]["maxLength"] if OLDER_IMAGES in props else 0
    for index, value, span in _listed_images(ctx):
        if not isinstance(value, str) or 0 < len(value) <= limit:
            continue
        if value:
            message = (
                f"pic_list entry {index + 1} is {len(value)} characters long; at most {limit} "
                "are allowed"
            )
        else:
            message = f"pic_list entry {index + 1} is empty; it needs at least 1 character"
        yield Finding(message, span, key=OLDER_IMAGES)


@rule(
    "ML105",
    "invalid-category-id",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("enum")],
)
def invalid_category_id(ctx: LineContext) -> Iterator[Finding]:
    """CategoryId is not one of the service's categories.

    ## What it does
    Reports a CategoryId outside 0 to 9, 20, 21, 22 and 88888888 (0 Tops, 1 Dress, 2 Bottoms,
    3 Bag, 4 Shoes, 5 Accessories, 6 Snacks, 7 Makeups, 8 Bottle drink, 9 Furniture, 20 Toy,
    21 Underwear, 22 Digital device, 88888888 Others).

    ## Why is this bad?
    For product image search a given category takes precedence and must be valid; an unknown
    one fails the line.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "CategoryId": 10}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "CategoryId": 9}
    ```
    Or leave CategoryId out to let the service predict it.

    ## The older format
    `cat_id` is held to the same categories; no document lists the older format's own.
    """
    for error in _errors(ctx, "enum"):
        key = error.key
        if key not in CATEGORY_KEYS or _has_type_error(ctx, key):
            continue
        value = (ctx.obj or {})[key]
        yield Finding(
            f"{key} {shown(value)} is not a category; use 0 to 9, 20, 21, 22 or 88888888 "
            "(Others), or leave it out to let the service predict it",
            ctx.value_span(key),
            key=key,
        )


@rule(
    "ML106",
    "integer-out-of-range",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("minimum", "maximum")],
)
def integer_out_of_range(ctx: LineContext) -> Iterator[Finding]:
    """An integer attribute does not fit in 32 bits.

    ## What it does
    Reports IntAttr to IntAttr4 values outside -2147483648 to 2147483647. IntAttr3 and IntAttr4
    exist only on newer instances; metalint accepts them, and an older instance ignores them.

    ## Why is this bad?
    The service stores integer attributes as 32-bit signed integers; larger values are
    rejected.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "IntAttr": 4294967296}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "IntAttr": 42}
    ```

    ## The older format
    `int_attr` is held to the range of IntAttr; no document gives its own. The older format
    has no counterpart of IntAttr2 to IntAttr4 that anything shows.
    """
    for error in _errors(ctx, "minimum", "maximum"):
        if error.key is None:
            continue
        value = (ctx.obj or {})[error.key]
        yield Finding(
            f"{error.key} {value} is outside the 32-bit range -2147483648 to 2147483647",
            ctx.value_span(error.key),
            key=error.key,
        )


@rule(
    "ML107",
    "forbidden-character",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("pattern")],
)
def forbidden_character(ctx: LineContext) -> Iterator[Finding]:
    """A string attribute holds a character the service does not support.

    ## What it does
    Reports `\\`, `¥`, `$`, `&` and `%` in StrAttr to StrAttr4. StrAttr3 and StrAttr4 exist
    only on newer instances; metalint accepts them, and an older instance ignores them.

    ## Why is this bad?
    String attributes are used in filter expressions, where these characters are not
    supported.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "StrAttr": "50%"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "StrAttr": "50pct"}
    ```

    ## The older format
    `str_attr` is held to the characters StrAttr may hold; no document gives its own.
    """
    for error in _errors(ctx, "pattern"):
        key = error.key
        if key is None or not (key.startswith("StrAttr") or key == "str_attr"):
            continue
        value: str = (ctx.obj or {})[key]
        bad = sorted({c for c in value if c in STRATTR_FORBIDDEN}, key=value.index)
        span = ctx.value_span(key)
        offsets = ctx.offsets(key)
        if offsets is not None and "\\" not in ctx.value_source(key):
            first = offsets[2] + 1 + value.index(bad[0])
            span = ctx.span(first, first + 1)
        listed = " ".join(bad)
        yield Finding(
            f"{key} {shown(value)} contains {listed}, which string attributes do not support",
            span,
            key=key,
        )


@rule(
    "ML108",
    "invalid-region",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("pattern"), guarded(Guard.REGION_ORDER)],
)
def invalid_region(ctx: LineContext) -> Iterator[Finding]:
    """Region is not `x1,x2,y1,y2` with x1 < x2 and y1 < y2.

    ## What it does
    Reports a Region that is not four non-negative integers separated by commas, or whose
    corners are out of order. The order is both x values first: `x1,x2,y1,y2`, where (x1, y1)
    is the upper-left corner and (x2, y2) the lower-right one.

    ## Why is this bad?
    The service cannot read the subject area and the line fails; swapped values describe an
    empty box.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Region": "20,60,80,40"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Region": "20,40,60,80"}
    ```
    """
    value = (ctx.obj or {}).get("Region")
    if not isinstance(value, str):
        return
    match = REGION.fullmatch(value)
    span = ctx.value_span("Region")
    if match is None:
        yield Finding(
            f"Region {shown(value)} is not four non-negative integers written as "
            '"x1,x2,y1,y2" (no spaces)',
            span,
            key="Region",
        )
        return
    x1, x2, y1, y2 = match.groups()
    if not less(x1, x2):
        yield Finding(
            f"Region {shown(value)} has x1 {x1} not less than x2 {x2}; the order is "
            "x1,x2,y1,y2 (both x values first)",
            span,
            key="Region",
        )
    if not less(y1, y2):
        yield Finding(
            f"Region {shown(value)} has y1 {y1} not less than y2 {y2}; the order is "
            "x1,x2,y1,y2 (both x values first)",
            span,
            key="Region",
        )


@rule(
    "ML109",
    "unknown-field",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[schema_errors("additionalProperties")],
)
def unknown_field(ctx: LineContext) -> Iterator[Finding]:
    """A key the service does not know.

    ## What it does
    Reports keys that are not part of the manifest format, with the key that was probably meant
    (keys are case-sensitive: `ProductID`, `productId` and `Picname` are all unknown).

    ## Why is this bad?
    The service ignores unknown keys, so a misspelt key silently loses its value, or leaves a
    required key missing.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "Picname": "fengyi.jpg"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "PicName": "fengyi.jpg"}
    ```

    ## The older format
    On a line of the older format the keys meant are looked for among that format's keys
    (`itemId` is `item_id`).

    ## Fix
    Renames the key when the intended key is clear and not already present.
    """
    obj = ctx.obj or {}
    known = tuple(_properties(ctx))
    for error in _errors(ctx, "additionalProperties"):
        key = error.key
        if key is None:
            continue
        meant = did_you_mean(key, known)
        fix = None
        hint = ""
        if meant is not None:
            hint = f"; did you mean {meant!r}?"
            if meant not in obj:
                edit = TextEdit(ctx.key_span(key), to_json(meant))
                # A guess at what was meant: a person confirms it (--unsafe-fixes).
                fix = Fix(f"Rename to {meant!r}", (edit,), safe=False)
        yield Finding(
            f"unknown key {key!r}{hint} (the service ignores it)",
            ctx.key_span(key),
            key=key,
            fix=fix,
        )


_MEANT_CUTOFF = 0.8


@functools.cache
def _matchers(
    keys: tuple[str, ...],
) -> tuple[tuple[str, int, frozenset[str], difflib.SequenceMatcher[str]], ...]:
    """A matcher per known key, lower-cased, each prepared once with the key's length and
    letters: a line of thousands of unknown keys compares every one with every known key."""
    return tuple(
        (k, len(k), frozenset(k.lower()), difflib.SequenceMatcher(None, "", k.lower()))
        for k in keys
    )


@functools.cache
def _known_by_squashed(keys: tuple[str, ...]) -> dict[str, str]:
    return {_SEPARATORS.sub("", k.lower()): k for k in keys}


_SEPARATORS = re.compile(r"[^a-z0-9]")


def did_you_mean(key: str, keys: tuple[str, ...] | None = None) -> str | None:
    """The key of ``keys`` (the current format's, unless given) a misspelt or miscased key
    most probably stands for: the same letters in another case or without separators, or the
    closest key by difflib's ratio, if close enough (what ``difflib.get_close_matches`` picks,
    with the matchers kept)."""
    keys = tuple(known_keys()) if keys is None else keys
    squashed = _SEPARATORS.sub("", key.lower())
    exact = _known_by_squashed(keys).get(squashed)
    if exact is not None:
        return exact
    size = len(squashed)
    letters = frozenset(squashed)
    best, best_ratio = None, _MEANT_CUTOFF
    for known, known_size, known_letters, matcher in _matchers(keys):
        # Bounds on difflib's ratio, 2 * matches / total, that need no call: matches are at
        # most the shorter length (real_quick_ratio) and at most the characters the two
        # share. On a line of thousands of unknown keys they rule out nearly every pair.
        total = size + known_size
        if 2.0 * min(size, known_size) / total < best_ratio:
            continue
        shared = sum(map(squashed.count, letters & known_letters))
        if 2.0 * shared / total < best_ratio:
            continue
        matcher.set_seq1(squashed)
        if matcher.quick_ratio() >= best_ratio and matcher.ratio() >= best_ratio:
            ratio = matcher.ratio()
            if best is None or ratio > best_ratio:
                best, best_ratio = known, ratio
    return best


@rule(
    "ML110",
    "duplicate-key",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    triggers=[guarded(Guard.KEY_COUNT)],
)
def duplicate_key(ctx: LineContext) -> Iterator[Finding]:
    """The same key twice in one object.

    ## What it does
    Reports every repetition of a key within one line.

    ## Why is this bad?
    JSON parsers silently keep one of the values (usually the last), so the other is lost
    without a word.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "ProductId": "1005"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    first: dict[str, Member] = {}
    for m in ctx.members:
        if m.key not in first:
            first[m.key] = m
            continue
        earlier = first[m.key]
        yield Finding(
            f"key {m.key!r} appears more than once; parsers keep the last value "
            f"({shown(ctx.obj[m.key] if ctx.obj else m.value)}) and drop "
            f"{shown(earlier.value)}",
            ctx.span(m.key_start, m.key_end),
            key=m.key,
            related=(
                Related(
                    ctx.path,
                    ctx.span(earlier.key_start, earlier.key_end),
                    f"first {m.key!r} here",
                ),
            ),
        )


@rule(
    "ML111",
    "mixed-format",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[older_format()],
)
def mixed_format(ctx: LineContext) -> Iterator[Finding]:
    """A line mixes keys of the older manifest format with keys of the current one.

    ## What it does
    Reports a line that holds keys of the older format (`operator`, `item_id`, `cat_id`,
    `cust_content`, `pic_list`, `int_attr`, `str_attr`) beside keys of the current one, and
    says which keys belong to which format. It points at the first key of the format the line
    has fewer keys of. Each value is still checked by the rules of its own key.

    ## Why is this bad?
    Each format is documented, or known, on its own only: on a line with both `item_id` and
    ProductId, or both `pic_list` and PicName, nothing says which one the service reads, and
    a line with `operator` but ProductId is complete in neither format.

    ## Example
    ```jsonl
    {"operator": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## The older format
    A line wholly in the older format is no mistake of this rule: `older-format` (ML014) notes
    the file once, and `metalint migrate` rewrites it in the current format.
    """
    if ctx.format is not LineFormat.MIXED:
        return
    older = [m for m in ctx.members if m.key in OLDER_KEYS]
    current = [m for m in ctx.members if m.key in CURRENT_KEYS]
    fewer = older if len(older) <= len(current) else current
    yield Finding(
        f"the line mixes the two manifest formats: {_keys(older)} of the older format, "
        f"{_keys(current)} of the current one; write it in one format (in the current one, "
        f"{_counterparts(older)})",
        ctx.span(fewer[0].key_start, fewer[0].key_end) if fewer else ctx.object_span,
        key=fewer[0].key if fewer else None,
    )


def _keys(members: Iterable[Member]) -> str:
    return ", ".join(repr(key) for key in dict.fromkeys(m.key for m in members))


def _counterparts(members: Iterable[Member]) -> str:
    keys = dict.fromkeys(m.key for m in members)
    return ", ".join(f"{key!r} is {COUNTERPARTS[key]!r}" for key in keys)


_DELETE_USES_ITS_KEYS: Fragment = {
    "dependentSchemas": {
        key: {"properties": {"OperationType": {"const": "ADD"}}}
        for key in line_schema()["properties"]
        if key not in DELETE_KEYS
    }
}
"""Every key but DELETE's own belongs to an ADD."""


@rule(
    "ML112",
    "ignored-by-delete",
    scope=Scope.FIELDS,
    severity=Severity.INFO,
    triggers=[unclean(_DELETE_USES_ITS_KEYS), older_format()],
)
def ignored_by_delete(ctx: LineContext) -> Iterator[Finding]:
    """A DELETE line carries fields that DELETE ignores.

    ## What it does
    Notes CustomContent, CategoryId, attributes, Crop and Region on a DELETE line.

    ## Why is this bad?
    DELETE only uses ProductId and PicName; the other values do nothing, which can hide a
    mistake (was this line meant to be an ADD?).

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "PicName": "fengyi.jpg", "CategoryId": 0}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "PicName": "fengyi.jpg"}
    ```

    ## The older format
    An older DELETE uses `item_id` and `pic_list`; `cust_content`, `cat_id` and the
    attributes are noted as their counterparts are.
    """
    if ctx.operation != "DELETE":
        return
    known = _properties(ctx)
    for key in ctx.obj or {}:
        if key in known and key not in DELETE_KEYS:
            yield Finding(f"DELETE ignores {key}", ctx.member_span(key), key=key)


_CROP_WITHOUT_REGION: Fragment = {
    "dependentSchemas": {"Region": {"properties": {"Crop": {"const": True}}}}
}


@rule(
    "ML113",
    "crop-with-region",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    triggers=[unclean(_CROP_WITHOUT_REGION)],
)
def crop_with_region(ctx: LineContext) -> Iterator[Finding]:
    """`Crop: false` together with a Region.

    ## What it does
    Reports a line that turns subject detection off and also gives a subject area.

    ## Why is this bad?
    The two contradict each other and the service's pages disagree on which one wins: the batch
    page says Region takes precedence and Crop is ignored, other pages describe Crop false as
    searching the whole image. The outcome is not certain.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Crop": false, "Region": "20,40,60,80"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Region": "20,40,60,80"}
    ```
    """
    obj = ctx.obj or {}
    if ctx.operation == "ADD" and obj.get("Crop") is False and "Region" in obj:
        yield Finding(
            "Crop is false and Region is set: the service's pages disagree on which one wins; "
            "keep only the one you mean",
            ctx.member_span("Crop"),
            key="Crop",
        )


OTHERS = 88888888
"""The category "Others", which the services other than product search always set."""


def _ignored_fields(profile: ServiceProfile) -> list[tuple[str, str]]:
    ignored = []
    if not profile.honours_category:
        ignored.append(("CategoryId", f"sets CategoryId to {OTHERS} whatever the line says"))
    if not profile.honours_crop_region:
        ignored += [("Crop", "ignores Crop"), ("Region", "ignores Region")]
    return ignored


def _honoured_fields(profile: ServiceProfile) -> Fragment | None:
    fragment: dict[str, Any] = {}
    if not profile.honours_category:
        # A CategoryId of 88888888 is what the service sets anyway: nothing is ignored.
        fragment["properties"] = {"CategoryId": {"const": OTHERS}}
    if not profile.honours_crop_region:
        fragment["allOf"] = [{"not": {"required": [key]}} for key in ("Crop", "Region")]
    return fragment or None


def _set_anyway(key: str, value: object) -> bool:
    return key in CATEGORY_KEYS and value == OTHERS and not isinstance(value, bool)


@rule(
    "ML114",
    "ignored-by-service",
    scope=Scope.FIELDS,
    severity=Severity.INFO,
    triggers=[unclean(_honoured_fields), older_format()],
)
def ignored_by_service(ctx: LineContext) -> Iterator[Finding]:
    """A field that the configured service type ignores.

    ## What it does
    Notes CategoryId on every service type but product search (they set it to 88888888, so
    only another value is ignored), and Crop and Region on fabric (cloth) search, which
    ignores both.

    ## Why is this bad?
    The value has no effect; if it matters, the instance may be of the wrong service type.

    ## Example
    With `service = "generic"`:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "CategoryId": 3}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```

    ## The older format
    `cat_id` is noted as CategoryId is; the older format has no Crop or Region.
    """
    if ctx.operation != "ADD":
        return
    profile = ctx.config.profile
    obj = ctx.obj or {}
    for key, why in _ignored_fields(profile):
        if ctx.format is LineFormat.OLDER and key == "CategoryId":
            key, why = "cat_id", why.replace("CategoryId", "cat_id")
        if key in obj and not _set_anyway(key, obj[key]):
            yield Finding(f"the {profile.service} service {why}", ctx.member_span(key), key=key)
