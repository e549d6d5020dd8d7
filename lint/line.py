"""One manifest line on the slow path: decoded, parsed with positions, validated with detail.

Only lines that the fast path could not vouch for get here, so clarity beats speed.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any

from metalint.config import Config
from metalint.diagnostics import Span, TextEdit

_WS = " \t\r\n"
_VALUE_END = frozenset(_WS + ",}")
BOM = "\ufeff"


class NonFinite(float):
    """A NaN or Infinity literal: JSON has none, so the line is wrong wherever one stands."""

    literal: str

    def __new__(cls, literal: str) -> NonFinite:
        value = super().__new__(cls, literal.replace("Infinity", "inf"))
        value.literal = literal
        return value


_DECODER = json.JSONDecoder(parse_constant=NonFinite)
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Value:
    """A JSON value of the line and where it stands, as 0-based character offsets."""

    value: Any
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Member:
    """One ``"key": value`` pair of the line's object, in source order (duplicates kept)."""

    key: str
    key_start: int
    key_end: int
    value: Any
    value_start: int
    value_end: int


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    message: str
    offset: int


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def parse_values(text: str, start: int) -> tuple[list[Value], list[str], SyntaxProblem | None]:
    """Every JSON value on the line, the separators between them, and the first syntax problem."""
    values: list[Value] = []
    separators: list[str] = []
    i = _skip_ws(text, start)
    while i < len(text):
        try:
            value, end = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            return values, separators, SyntaxProblem(exc.msg, exc.pos)
        except RecursionError:
            return values, separators, SyntaxProblem("Nesting too deep", i)
        except ValueError as exc:
            # Python refuses to convert integers of more than 4300 digits.
            return values, separators, SyntaxProblem(str(exc).split(";")[0], i)
        values.append(Value(value, i, end))
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            separators.append(",")
            i = _skip_ws(text, i + 1)
        elif i < len(text):
            separators.append("")
    return values, separators, None


def scan_members(text: str, start: int) -> list[Member]:
    """The members of the object that begins at ``start`` (already known to be valid JSON)."""
    members: list[Member] = []
    i = _skip_ws(text, start + 1)
    while text[i] != "}":
        key, key_end = _scanstring(text, i + 1)
        colon = _skip_ws(text, key_end)
        value_start = _skip_ws(text, colon + 1)
        value, value_end = _DECODER.raw_decode(text, value_start)
        members.append(Member(key, i, key_end, value, value_start, value_end))
        i = _skip_ws(text, value_end)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return members


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


class LineContext:
    """Everything a text or field rule may ask about one line, computed on first use."""

    def __init__(
        self, path: str, lineno: int, raw: bytes, ending: bytes, config: Config
    ) -> None:
        self.path = path
        self.lineno = lineno
        self.raw = raw
        """The line's bytes without its ending."""
        self.ending = ending
        """``b"\\n"``, ``b"\\r\\n"`` or ``b""`` on a last line without a newline."""
        self.config = config

    # -- text -------------------------------------------------------------------------------

    @functools.cached_property
    def text(self) -> str | None:
        """The decoded line, or None when it is not UTF-8."""
        try:
            return self.raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @functools.cached_property
    def decode_error(self) -> UnicodeDecodeError | None:
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc
        return None

    @property
    def has_bom(self) -> bool:
        return self.lineno == 1 and self.raw.startswith(b"\xef\xbb\xbf")

    @property
    def content_start(self) -> int:
        """Where the JSON starts: after a byte-order mark on the first line."""
        return 1 if self.has_bom else 0

    def span(self, start: int, end: int) -> Span:
        """A span from 0-based character offsets of this line."""
        return Span.on_line(self.lineno, start, end)

    @property
    def line_span(self) -> Span:
        return Span.whole_line(self.lineno, len(self.text or ""))

    def delete_edit(self) -> TextEdit:
        """The edit that removes this line with its ending (a last line without a newline
        is emptied, leaving the newline of the line before it as the file's end)."""
        if self.ending:
            return TextEdit(Span(self.lineno, 1, self.lineno + 1, 1), "")
        return TextEdit(Span(self.lineno, 1, self.lineno, len(self.text or "") + 1), "")

    # -- JSON -------------------------------------------------------------------------------

    @functools.cached_property
    def _parsed(self) -> tuple[list[Value], list[str], SyntaxProblem | None]:
        if self.text is None:
            return [], [], None
        return parse_values(self.text, self.content_start)

    @property
    def values(self) -> list[Value]:
        return self._parsed[0]

    @property
    def separators(self) -> list[str]:
        return self._parsed[1]

    @property
    def syntax_problem(self) -> SyntaxProblem | None:
        return self._parsed[2]

    @property
    def is_blank(self) -> bool:
        return self.text is not None and not self.text[self.content_start :].strip(_WS)

    @functools.cached_property
    def object_value(self) -> Value | None:
        """The line's value when the line is exactly one JSON object."""
        if self.syntax_problem is None and len(self.values) == 1:
            only = self.values[0]
            if isinstance(only.value, dict):
                return only
        return None

    @functools.cached_property
    def members(self) -> list[Member]:
        if self.object_value is None or self.text is None:
            return []
        return scan_members(self.text, self.object_value.start)

    @functools.cached_property
    def obj(self) -> dict[str, Any] | None:
        """The object as a JSON parser sees it (the last of duplicated keys wins)."""
        if self.object_value is None:
            return None
        return {m.key: m.value for m in self.members}

    def member(self, key: str) -> Member | None:
        """The member that counts for ``key``: the last one, as parsers keep the last."""
        found = None
        for m in self.members:
            if m.key == key:
                found = m
        return found

    def key_span(self, key: str) -> Span:
        offsets = self._offsets(key)
        return self.object_span if offsets is None else self.span(offsets[0], offsets[1])

    def value_span(self, key: str) -> Span:
        offsets = self._offsets(key)
        return self.object_span if offsets is None else self.span(offsets[2], offsets[3])

    def _offsets(self, key: str) -> tuple[int, int, int, int] | None:
        """Where the member that counts for ``key`` stands: key start and end, value start
        and end; None when the line has no such key."""
        flat = self._flat_spans(key)
        if flat is not None:
            return flat
        m = self.member(key)
        return None if m is None else (m.key_start, m.key_end, m.value_start, m.value_end)

    def _flat_spans(self, key: str) -> tuple[int, int, int, int] | None:
        """Key and value offsets of ``key`` found by a plain search, or None to parse instead.

        Most lines that need a span after the scan (duplicates, image findings) are flat
        objects without escapes. In such a line a quoted word followed by a colon can only be
        a key, and a string value ends at the next quote, so a search finds exactly what the
        parser would, at a fraction of the cost. Anything less plain is parsed.
        """
        text = self.text
        if (
            text is None
            or "\\" in text
            or text.count("{") != 1
            or text.count("}") != 1
            or "[" in text
        ):
            return None
        # The last occurrence: it is the one a parser keeps. Not followed by a colon, it is a
        # string value that happens to read like the key: let the parser decide.
        quoted = f'"{key}"'
        key_start = text.rfind(quoted)
        if key_start < 0:
            return None
        colon = _skip_ws(text, key_start + len(quoted))
        if not text.startswith(":", colon):
            return None
        start = _skip_ws(text, colon + 1)
        if text.startswith('"', start):
            end = text.index('"', start + 1) + 1
        else:
            end = start
            while end < len(text) and text[end] not in _VALUE_END:
                end += 1
        return key_start, key_start + len(quoted), start, end

    def member_span(self, m: Member) -> Span:
        return self.span(m.key_start, m.value_end)

    @property
    def object_span(self) -> Span:
        """The opening brace: where a finding about the whole object points."""
        if self.object_value is None:
            return self.line_span
        return self.span(self.object_value.start, self.object_value.start + 1)

    @property
    def operation(self) -> str | None:
        op = (self.obj or {}).get("OperationType")
        return op if isinstance(op, str) else None

    @functools.cached_property
    def schema_errors(self) -> list[Any]:
        """The line schema's errors for this object, from the fast validator's detailed mode."""
        from metalint.schemacheck import detailed_errors

        if self.obj is None:
            return []
        return detailed_errors(self.obj)
