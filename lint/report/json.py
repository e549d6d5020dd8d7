"""The machine format: one JSON array on standard output, streamed one finding at a time.

Each element carries the fields design.md fixes (``path``, ``line``, ``column``, ``end_line``,
``end_column``, ``code``, ``name``, ``severity``, ``message``, ``fix``) plus ``key`` and
``related``. Positions are 1-based, columns count characters, and ends are exclusive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

import orjson

from metalint.diagnostics import Diagnostic, Fix
from metalint.report.base import ReportOptions, Totals


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "applicability": fix.applicability,
        "edits": [
            {
                "line": e.span.line,
                "column": e.span.column,
                "end_line": e.span.end_line,
                "end_column": e.span.end_column,
                "new_text": e.new_text,
            }
            for e in fix.edits
        ],
    }


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    code, name, severity, message, path, span, key, fix, related = d
    line, column, end_line, end_column = span
    return {
        "path": path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "code": code,
        "name": name,
        "severity": severity,  # a str enum: orjson and json both write its value
        "message": message,
        "key": key,
        "fix": None if fix is None else _fix(fix),
        "related": [
            {
                "path": r.path,
                "line": r.span.line,
                "column": r.span.column,
                "end_line": r.span.end_line,
                "end_column": r.span.end_column,
                "message": r.message,
            }
            for r in related
        ]
        if related
        else [],
    }


_BATCH = 256
"""Findings encoded in one call: each call and each write costs about as much as encoding a
finding, and a consumer reads the array whole anyway."""


def _encode_all(elements: list[dict[str, Any]]) -> bytes:
    """``elements`` as the indented members of a JSON array, in UTF-8, without its brackets."""
    try:
        body = orjson.dumps(elements, option=orjson.OPT_INDENT_2)
    except TypeError:  # a lone surrogate in a key or message: only an escape can carry it
        return b",\n".join(_encode_one(e) for e in elements)
    return body[2:-2]  # "[\n" and "\n]"; the elements are already indented as members


def dumps_utf8(value: Any, *, indent: bool) -> bytes:
    """``value`` as JSON in UTF-8; UTF-8 cannot carry a lone surrogate, so when the value
    holds one, that character alone is written as its JSON escape."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    except TypeError:
        layout: dict[str, Any] = {"indent": 2} if indent else {"separators": (",", ":")}
        return json.dumps(value, ensure_ascii=False, **layout).encode("utf-8", "backslashreplace")


def _encode_one(element: dict[str, Any]) -> bytes:
    return b"  " + dumps_utf8(element, indent=True).replace(b"\n", b"\n  ")


def _byte_writer(out: TextIO) -> Callable[[bytes], object]:
    """Writes UTF-8, as JSON is defined, to the byte stream under ``out`` when it has one,
    whatever encoding the text stream was given."""
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        return buffer.write  # type: ignore[no-any-return]
    return lambda data: out.write(data.decode("utf-8"))


class JsonReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._write = _byte_writer(out)
        self._count = 0
        self._pending: list[dict[str, Any]] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self._pending.append(diagnostic_to_json(diagnostic))
        if len(self._pending) == _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            lead = b"[\n" if self._count == 0 else b",\n"
            self._write(lead + _encode_all(self._pending))
            self._count += len(self._pending)
            self._pending.clear()

    def finish(self, totals: Totals) -> None:
        self._flush()
        self._write(b"[]\n" if self._count == 0 else b"\n]\n")


class JsonLinesReporter:
    """One finding per line as a compact JSON object (the elements of ``--format json``): for
    tools that read a stream line by line."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._write = _byte_writer(out)
        self._pending: list[bytes] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self._pending.append(dumps_utf8(diagnostic_to_json(diagnostic), indent=False))
        if len(self._pending) == _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._write(b"\n".join(self._pending) + b"\n")
            self._pending.clear()

    def finish(self, totals: Totals) -> None:
        self._flush()
