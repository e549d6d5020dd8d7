"""The engine's records as LSP values: pure functions, no server state.

Diagnostics are built as plain JSON dictionaries rather than lsprotocol objects: a manifest
with a mistake on every tenth line has ten thousand of them per publish, and going through
cattrs' unstructuring costs more than the lint (see ``MetalintProtocol``, which writes them
out as they are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from metalint.diagnostics import Diagnostic, Severity, Span, TextEdit
from metalint.lsp.positions import Encoding, engine_to_client

SOURCE = "metalint"

SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
"""LSP's DiagnosticSeverity: Error, Warning, Information."""

DEFAULT_DOCS_URL = "https://pypi.org/project/metalint/#{code}"
"""Where a diagnostic's ``codeDescription`` points, ``{code}`` and ``{name}`` filled in; the
``metalint.ruleDocsUrl`` setting replaces it (hovers carry the documentation itself)."""

Json = dict[str, Any]
LineOf = Callable[[int], bytes]
"""A document's line (0-based) with its ending; ``b""`` past the end."""


class Positions:
    """Spans of one document as LSP ranges in the client's encoding."""

    __slots__ = ("encoding", "line_of")

    def __init__(self, line_of: LineOf, encoding: Encoding) -> None:
        self.line_of = line_of
        self.encoding = encoding

    def position(self, line: int, column: int) -> Json:
        """The LSP position of a 1-based line and column."""
        no = line - 1
        if column <= 1:
            return {"line": no, "character": 0}
        return {"line": no, "character": engine_to_client(self.line_of(no), column, self.encoding)}

    def range(self, span: Span) -> Json:
        return {
            "start": self.position(span.line, span.column),
            "end": self.position(span.end_line, span.end_column),
        }


def diagnostic(d: Diagnostic, uri: str, positions: Positions, docs_url: str) -> Json:
    out: Json = {
        "range": positions.range(d.span),
        "severity": SEVERITY[d.severity],
        "code": d.code,
        "codeDescription": {"href": docs_url.format(code=d.code, name=d.name)},
        "source": SOURCE,
        "message": d.message,
    }
    if d.related:
        # Related places are in the same manifest (the earlier line of a pair): the engine
        # names them by the document's path, the client by its URI.
        out["relatedInformation"] = [
            {"location": {"uri": uri, "range": positions.range(r.span)}, "message": r.message}
            for r in d.related
        ]
    if d.fix is not None:
        out["data"] = {"fixable": True}
    return out


def diagnostics(
    found: Iterable[Diagnostic], uri: str, positions: Positions, docs_url: str
) -> list[Json]:
    return [diagnostic(d, uri, positions, docs_url) for d in found]


def more_diagnostic(count: int, shown: int, at: Json) -> Json:
    """The diagnostic that ends a capped list: how many more there are, and the setting."""
    return {
        "range": at,
        "severity": SEVERITY[Severity.INFO],
        "source": SOURCE,
        "message": (
            f"{count - shown} more findings are not shown (metalint shows at most {shown}; "
            "the setting metalint.maxDiagnostics changes it, 0 shows every finding)"
        ),
    }


def text_edits(edits: Iterable[TextEdit], positions: Positions) -> list[Json]:
    return [{"range": positions.range(e.span), "newText": e.new_text} for e in edits]
