"""JSON text with positions: the values on a line, an object's members, and where each stands.

orjson reads every line but gives no positions, and refuses some lines a rule must still look
into (NaN, a lone surrogate, several values). This parser is the standard library's, which
accepts all of those and reports offsets; only the slow path uses it, and only when a rule
asks for more than the parsed object.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NamedTuple

import orjson

WHITESPACE = " \t\r\n"


class NonFinite(float):
    """A NaN or Infinity literal: JSON has none, so the line is wrong wherever one stands."""

    literal: str

    def __new__(cls, literal: str) -> NonFinite:
        value = super().__new__(cls, literal.replace("Infinity", "inf"))
        value.literal = literal
        return value


_DECODER = json.JSONDecoder(parse_constant=NonFinite)
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


class Value(NamedTuple):
    """A JSON value of the line and where it stands, as 0-based character offsets."""

    value: Any
    start: int
    end: int


class Member(NamedTuple):
    """One ``"key": value`` pair of the line's object, in source order (duplicates kept)."""

    key: str
    key_start: int
    key_end: int
    value: Any
    value_start: int
    value_end: int


class SyntaxProblem(NamedTuple):
    message: str
    offset: int


def skip_whitespace(text: str, i: int) -> int:
    while i < len(text) and text[i] in WHITESPACE:
        i += 1
    return i


_READABLE = {
    "Unterminated string starting at": "Unterminated string: no closing quote after this one",
    "Invalid control character at": "Invalid control character in a string",
}
"""The decoder's messages that end in "at", whose position it prints after them: the finding
gives the position, so the sentence has to stand without it."""


def parse_values(text: str, start: int) -> tuple[list[Value], list[str], SyntaxProblem | None]:
    """Every JSON value on the line, the separators between them, and the first syntax problem."""
    values: list[Value] = []
    separators: list[str] = []
    i = skip_whitespace(text, start)
    while i < len(text):
        try:
            value, end = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            return values, separators, SyntaxProblem(_READABLE.get(exc.msg, exc.msg), exc.pos)
        except RecursionError:
            return values, separators, SyntaxProblem("Nesting too deep", i)
        except ValueError as exc:
            # Python refuses to convert integers of more than 4300 digits.
            return values, separators, SyntaxProblem(str(exc).split(";")[0], i)
        values.append(Value(value, i, end))
        i = skip_whitespace(text, end)
        if i < len(text) and text[i] == ",":
            separators.append(",")
            i = skip_whitespace(text, i + 1)
        elif i < len(text):
            separators.append("")
    return values, separators, None


def scan_members(text: str, start: int, obj: dict[str, Any]) -> list[Member]:
    """The members of ``obj``, the object that begins at ``start`` (already known to be valid
    JSON).

    Each value is decoded once more here, which is what gives its end; keys come from the
    string scanner alone.
    """
    members: list[Member] = []
    i = skip_whitespace(text, start + 1)
    while text[i] != "}":
        key, key_end = _scanstring(text, i + 1)
        colon = skip_whitespace(text, key_end)
        value_start = skip_whitespace(text, colon + 1)
        try:
            value, value_end = _DECODER.raw_decode(text, value_start)
        except RecursionError:
            # A value nested deeper than Python's decoder goes (orjson may have read it):
            # its end comes from counting brackets, and the value is the one the object
            # holds, which differs only if the key is repeated.
            value, value_end = obj.get(key), _container_end(text, value_start)
        members.append(Member(key, i, key_end, value, value_start, value_end))
        i = skip_whitespace(text, value_end)
        if text[i] == ",":
            i = skip_whitespace(text, i + 1)
    return members


def _container_end(text: str, start: int) -> int:
    """Where the array or object that begins at ``start`` (valid JSON) ends, without recursion."""
    depth = 0
    i = start
    while True:
        char = text[i]
        if char == '"':
            i = _scanstring(text, i + 1)[1]
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def contains_non_finite(value: Any) -> bool:
    """Whether NaN or Infinity stands anywhere in ``value`` (iterative: lines nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(value: Any) -> str:
    """``value`` as JSON text, non-ASCII characters as they are: what a fix writes into a line
    and a message quotes. A lone surrogate, which UTF-8 cannot hold, stays an escape."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # a lone surrogate, or an integer beyond 64 bits
        text = json.dumps(value, ensure_ascii=False)
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(value: Any, limit: int = 40) -> str:
    """``value`` as JSON text for a message, cut to ``limit`` characters."""
    text = to_json(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
