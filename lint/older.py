"""The older line format: one line per product, its images listed in ``pic_list``.

    {"operator": "ADD", "item_id": "1000", "cat_id": 0, "cust_content": "", "pic_list": ["a.jpg"]}

Alibaba Cloud's own open-source manifest generator writes it, public posts show it importing
in 2020, and the service's current error list still names its keys (NoPicList, InvalidPicList,
NoSpecifiedItemId); the current documentation shows only the current keys. Each line is told
apart by its keys alone: a line with keys of both formats is *mixed*.
"""

from __future__ import annotations

import enum
from typing import Any

from metalint.schema import line_schema

COUNTERPARTS = {
    "operator": "OperationType",
    "item_id": "ProductId",
    "cat_id": "CategoryId",
    "cust_content": "CustomContent",
    "pic_list": "PicName",
    "int_attr": "IntAttr",
    "str_attr": "StrAttr",
}
"""Each key of the older format and the key of the current format that holds its value
(``pic_list`` holds several PicNames: the current format writes a line for each)."""
OLDER_KEYS = frozenset(COUNTERPARTS)
CURRENT_KEYS = frozenset(line_schema()["properties"])
OLDER_OPERATION = "operator"
OLDER_PRODUCT = "item_id"
OLDER_IMAGES = "pic_list"

Operation = tuple[str, str, "str | None"]
"""(ADD or DELETE, product, image or None for every image of the product)."""


class LineFormat(enum.StrEnum):
    CURRENT = "current"
    OLDER = "older"
    MIXED = "mixed"


# The members as plain names, for the code that runs on every slow line: Python 3.11 reads an
# attribute of an enum class through its metaclass's __getattr__ hook, at ten times the cost
# of reading a global.
CURRENT_FORMAT = LineFormat.CURRENT
OLDER_FORMAT = LineFormat.OLDER
MIXED_FORMAT = LineFormat.MIXED


def line_format(obj: dict[str, Any]) -> LineFormat:
    """The format of a line's object by its keys; a line with keys of neither format (``{}``,
    only unknown keys) counts as the current format, whose rules say what is missing."""
    if OLDER_KEYS.isdisjoint(obj):
        return CURRENT_FORMAT
    if CURRENT_KEYS.isdisjoint(obj):
        return OLDER_FORMAT
    return MIXED_FORMAT


def older_operations(obj: dict[str, Any]) -> tuple[Operation, ...]:
    """The operations of a well-formed line of the older format, one for each image of its
    ``pic_list`` (each image once), or the one DELETE of every image of the product."""
    op, pid = obj.get(OLDER_OPERATION), obj.get(OLDER_PRODUCT)
    if op not in ("ADD", "DELETE") or not isinstance(pid, str):
        return ()
    images = obj.get(OLDER_IMAGES)
    if images is None:
        return (("DELETE", pid, None),) if op == "DELETE" else ()
    if not isinstance(images, list):
        return ()
    names = dict.fromkeys(pic for pic in images if isinstance(pic, str))
    return tuple((op, pid, pic) for pic in names)
