"""Field rules (ML104 to ML108): the values of one line, each against its limits: lengths,
categories, integer ranges, forbidden characters, Region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from metalint.diagnostics import Severity
from metalint.jsontext import shown
from metalint.line import LineContext
from metalint.older import OLDER_IMAGES
from metalint.region import REGION, less
from metalint.registry import (
    Finding,
    Guard,
    Scope,
    guarded,
    rule,
    schema_errors,
)
from metalint.rules.fieldkeys import (
    CATEGORY_KEYS,
    errors_of,
    has_type_error,
    listed_images,
    properties_of,
)

STRATTR_FORBIDDEN = "\\¥$&%"


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
    props = properties_of(ctx)
    yield from _entries_of_wrong_length(ctx, props)
    for error in errors_of(ctx, "minLength", "maxLength", "minItems"):
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
    for index, value, span in listed_images(ctx):
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
    for error in errors_of(ctx, "enum"):
        key = error.key
        if key not in CATEGORY_KEYS or has_type_error(ctx, key):
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
    for error in errors_of(ctx, "minimum", "maximum"):
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
    for error in errors_of(ctx, "pattern"):
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
