"""GitLab Code Quality: the JSON report a merge request's widget shows.

https://docs.gitlab.com/ci/testing/code_quality/ names the fields: ``description``,
``check_name``, ``fingerprint``, ``severity`` and ``location`` (``path`` within the repository,
``lines.begin``). GitLab compares the fingerprints of two pipelines to tell new findings from
fixed ones, so a fingerprint must not change when lines are inserted above a finding: it is made
of the rule, the path and the text of the line (report/fingerprint.py).
"""

from __future__ import annotations

from typing import Any, TextIO

from metalint.diagnostics import Diagnostic, Severity
from metalint.report.base import ReportOptions, Totals, relative_to_cwd
from metalint.report.fingerprint import Fingerprints
from metalint.report.json import dumps_utf8

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


class GitlabReporter:
    """The whole report is one JSON array, written at the end."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._fingerprints = Fingerprints(options.sources)
        self._issues: list[dict[str, Any]] = []

    def add(self, diagnostic: Diagnostic) -> None:
        d = diagnostic
        path = relative_to_cwd(d.path).as_posix()
        self._issues.append(
            {
                "description": f"{d.code} {d.message}",
                "check_name": f"{d.code} {d.name}",
                "fingerprint": self._fingerprints.of(d, path),
                "severity": _SEVERITY[d.severity],
                "location": {"path": path, "lines": {"begin": d.span.line}},
            }
        )

    def finish(self, totals: Totals) -> None:
        data = dumps_utf8(self._issues, indent=True)
        self._out.write(data.decode("utf-8") + "\n")
