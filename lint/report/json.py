"""The machine format: one JSON array on standard output, streamed one finding at a time.

Each element carries the fields design.md fixes (``path``, ``line``, ``column``, ``end_line``,
``end_column``, ``code``, ``name``, ``severity``, ``message``, ``fix``) plus ``key`` and
``related``. Positions are 1-based, columns count characters, and ends are exclusive.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from metalint.diagnostics import Diagnostic, Fix, Span
from metalint.report.base import ReportOptions, Totals


def _span(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "edits": [{**_span(edit.span), "new_text": edit.new_text} for edit in fix.edits],
    }


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "path": d.path,
        **_span(d.span),
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "key": d.key,
        "fix": _fix(d.fix),
        "related": [{"path": r.path, **_span(r.span), "message": r.message} for r in d.related],
    }


class JsonReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._count = 0

    def add(self, diagnostic: Diagnostic) -> None:
        # ASCII escapes keep the output valid JSON whatever encoding standard output has.
        text = json.dumps(diagnostic_to_json(diagnostic), indent=2)
        self._out.write(("[\n" if self._count == 0 else ",\n") + _indent(text))
        self._count += 1

    def finish(self, totals: Totals) -> None:
        self._out.write("[]\n" if self._count == 0 else "\n]\n")


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
