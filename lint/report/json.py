"""The machine format: one JSON array on standard output, streamed one finding at a time.

Each element carries the fields design.md fixes (``path``, ``line``, ``column``, ``end_line``,
``end_column``, ``code``, ``name``, ``severity``, ``message``, ``fix``) plus ``key`` and
``related``. Positions are 1-based, columns count characters, and ends are exclusive.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

import orjson

from metalint.diagnostics import Diagnostic, Fix
from metalint.report.base import ReportOptions, Totals


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
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
    span = d.span
    return {
        "path": d.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "key": d.key,
        "fix": None if d.fix is None else _fix(d.fix),
        "related": [
            {
                "path": r.path,
                "line": r.span.line,
                "column": r.span.column,
                "end_line": r.span.end_line,
                "end_column": r.span.end_column,
                "message": r.message,
            }
            for r in d.related
        ],
    }


def encode(diagnostic: Diagnostic) -> bytes:
    """One finding as indented JSON, in UTF-8."""
    element = diagnostic_to_json(diagnostic)
    try:
        return orjson.dumps(element, option=orjson.OPT_INDENT_2)
    except TypeError:  # a lone surrogate in a key or message: only an escape can carry it
        return json.dumps(element, indent=2).encode("ascii")


class JsonReporter:
    """Writes UTF-8, as JSON is defined, to the byte stream under ``out`` when it has one,
    whatever encoding the text stream was given."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        buffer = getattr(out, "buffer", None)
        self._write = buffer.write if buffer is not None else self._write_text
        out.flush()
        self._count = 0

    def _write_text(self, data: bytes) -> None:
        self._out.write(data.decode("utf-8"))

    def add(self, diagnostic: Diagnostic) -> None:
        lead = b"[\n  " if self._count == 0 else b",\n  "
        self._write(lead + encode(diagnostic).replace(b"\n", b"\n  "))
        self._count += 1

    def finish(self, totals: Totals) -> None:
        self._write(b"[]\n" if self._count == 0 else b"\n]\n")
