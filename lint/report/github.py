"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

::error file=PATH,line=L,endLine=L,col=C,endColumn=C,title=CODE name::message
"""

from __future__ import annotations

from typing import TextIO

from metalint.diagnostics import Diagnostic, Severity
from metalint.report.base import ReportOptions, Totals

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out

    def add(self, diagnostic: Diagnostic) -> None:
        d = diagnostic
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", d.path),
                ("line", d.span.line),
                ("endLine", d.span.end_line),
                ("col", d.span.column),
                ("endColumn", d.span.end_column),
                ("title", f"{d.code} {d.name}"),
            )
        )
        print(f"::{_COMMAND[d.severity]} {properties}::{_escape_data(d.message)}", file=self._out)

    def finish(self, totals: Totals) -> None:
        """Annotations stand alone; the run's exit status already tells whether it failed."""
