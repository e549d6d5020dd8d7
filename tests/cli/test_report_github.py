"""The github format: one workflow command per finding, with GitHub's escaping."""

from __future__ import annotations

import io

from metalint.diagnostics import Diagnostic, Severity, Span
from metalint.report import ReportOptions, Totals, create_reporter


def render(diagnostic: Diagnostic) -> str:
    out = io.StringIO()
    reporter = create_reporter("github", out, ReportOptions())
    reporter.add(diagnostic)
    reporter.finish(Totals(files=1))
    return out.getvalue()


def test_one_annotation_per_finding_with_escaping() -> None:
    found = Diagnostic(
        "ML109", "unknown-field", Severity.INFO, "50% off,\nreally: yes", "a,b:c.meta",
        Span(3, 4, 3, 9),
    )  # fmt: skip
    assert render(found) == (
        "::notice file=a%2Cb%3Ac.meta,line=3,endLine=3,col=4,endColumn=9,"
        "title=ML109 unknown-field::50%25 off,%0Areally: yes\n"
    )


def test_severities_map_to_commands() -> None:
    for severity, command in (
        (Severity.ERROR, "::error "),
        (Severity.WARNING, "::warning "),
        (Severity.INFO, "::notice "),
    ):
        found = Diagnostic("ML101", "missing-field", severity, "m", "p", Span(1, 1, 1, 2))
        assert render(found).startswith(command)
