"""JUnit XML, the test report format CI servers show (GitLab's test reports, Jenkins, ...).

Each finding is a test case with a failure, named by its rule and place, in a suite per
manifest; a run without findings is one passing case, so that the report says the check ran.
XML 1.0 cannot hold some characters a manifest can (control characters, lone surrogates): they
are written as ``\\uXXXX`` escapes of the text.
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from metalint.diagnostics import Diagnostic
from metalint.report.base import ReportOptions, Totals

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class JunitReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._suites: dict[str, list[Diagnostic]] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        self._suites.setdefault(diagnostic.path, []).append(diagnostic)

    def finish(self, totals: Totals) -> None:
        failures = sum(len(found) for found in self._suites.values())
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<testsuites name="metalint" tests="{max(failures, 1)}" failures="{failures}">',
        ]
        if not self._suites:
            lines.append('  <testsuite name="metalint" tests="1" failures="0">')
            lines.append(f'    <testcase name="{totals.files} manifests" classname="metalint"/>')
            lines.append("  </testsuite>")
        for path, found in self._suites.items():
            suite = quoteattr(_xml_text(path))
            lines.append(f'  <testsuite name={suite} tests="{len(found)}" failures="{len(found)}">')
            for d in found:
                where = f"{d.path}:{d.span.line}:{d.span.column}"
                name = quoteattr(_xml_text(f"{d.code} {d.name} at {where}"))
                message = quoteattr(_xml_text(d.message))
                kind = quoteattr(f"{d.code} {d.severity.value}")
                body = escape(_xml_text(f"{where}: {d.code} [{d.name}] {d.severity}: {d.message}"))
                lines.append(f"    <testcase name={name} classname={suite}>")
                lines.append(f"      <failure message={message} type={kind}>{body}</failure>")
                lines.append("    </testcase>")
            lines.append("  </testsuite>")
        lines.append("</testsuites>")
        self._out.write("\n".join(lines) + "\n")
