"""The Region value, ``"x1,x2,y1,y2"``: read by the field rules, the fast path and the image
rules alike."""

from __future__ import annotations

import re

REGION = re.compile(r"([0-9]+),([0-9]+),([0-9]+),([0-9]+)")

_HUGE = 10**18
"""Stands for any coordinate of more digits: far outside every image, and safe to convert."""


def _number(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 19 else _HUGE


def less(a: str, b: str) -> bool:
    """``int(a) < int(b)`` for digit strings of any length (int() refuses over 4300 digits)."""
    a, b = a.lstrip("0"), b.lstrip("0")
    return (len(a), a) < (len(b), b)


def parse_region(value: str) -> tuple[int, int, int, int] | None:
    """``(x1, x2, y1, y2)`` from a well-formed, well-ordered Region, else None."""
    match = REGION.fullmatch(value)
    if match is None:
        return None
    x1, x2, y1, y2 = match.groups()
    if not (less(x1, x2) and less(y1, y2)):
        return None
    return _number(x1), _number(x2), _number(y1), _number(y2)
