"""Field rules (ML112 to ML114): what the service ignores on a line: an ADD's keys on a DELETE,
Crop beside a Region, the fields a service type does not honour."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from metalint.diagnostics import Severity
from metalint.line import LineContext
from metalint.older import OLDER_FORMAT
from metalint.registry import (
    Finding,
    Fragment,
    Scope,
    older_format,
    rule,
    unclean,
)
from metalint.rules.fieldkeys import (
    CATEGORY_KEYS,
    DELETE_KEYS,
    properties_of,
)
from metalint.schema import line_schema
from metalint.service import ServiceProfile

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
    known = properties_of(ctx)
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
        if ctx.format is OLDER_FORMAT and key == "CategoryId":
            key, why = "cat_id", why.replace("CategoryId", "cat_id")
        if key in obj and not _set_anyway(key, obj[key]):
            yield Finding(f"the {profile.service} service {why}", ctx.member_span(key), key=key)
