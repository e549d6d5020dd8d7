"""The immutable records every front end consumes: spans, edits, fixes and diagnostics.

Positions are 1-based lines and columns counted in characters (code points) of the decoded line;
an end column is exclusive, so a span of one character at column 5 ends at column 6.

The records are named tuples: immutable like frozen dataclasses, and three times cheaper to
make, which counts when a broken generator puts a finding on each of a million lines.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

new_record = tuple.__new__
"""``new_record(Span, (line, column, end_line, end_column))``: a record made straight from the
tuple of its fields. A named tuple's own ``__new__`` is a Python function, which costs about
as much again as the record: spans, diagnostics and schema errors are made for each finding.
"""


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Span(NamedTuple):
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def on_line(cls, line: int, start: int, end: int) -> Span:
        """A span within one line from 0-based character offsets ``start`` to ``end``."""
        return new_record(cls, (line, start + 1, line, max(end, start + 1) + 1))

    @classmethod
    def whole_line(cls, line: int, length: int) -> Span:
        return cls(line, 1, line, max(length, 1) + 1)

    def moved_down(self, lines: int) -> Span:
        return Span(self.line + lines, self.column, self.end_line + lines, self.end_column)


FILE_SPAN = Span(1, 1, 1, 2)


class TextEdit(NamedTuple):
    """Replace the text of ``span`` (end exclusive) with ``new_text``."""

    span: Span
    new_text: str


class Fix(NamedTuple):
    """What to do about a diagnostic, as edits shared by ``--fix``, ``--diff`` and editors."""

    description: str
    edits: tuple[TextEdit, ...]
    safe: bool = True
    """Whether the fix keeps the line's meaning, so that ``--fix`` applies it unasked; an
    unsafe one (a guessed key name) waits for ``--unsafe-fixes`` or a person."""

    @property
    def applicability(self) -> str:
        return "safe" if self.safe else "unsafe"


class Related(NamedTuple):
    """Another place that explains a diagnostic, such as the earlier line of a duplicate."""

    path: str
    span: Span
    message: str


class Diagnostic(NamedTuple):
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    key: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()

    def moved_down(self, lines: int) -> Diagnostic:
        """The same diagnostic ``lines`` lines further down (for a chunk scanned apart)."""
        if not lines:
            return self
        fix = self.fix
        if fix is not None:
            edits = tuple(TextEdit(e.span.moved_down(lines), e.new_text) for e in fix.edits)
            fix = fix._replace(edits=edits)
        related = tuple(Related(r.path, r.span.moved_down(lines), r.message) for r in self.related)
        return self._replace(span=self.span.moved_down(lines), fix=fix, related=related)
