"""SARIF 2.1.0, for code scanning services (GitHub code scanning, Azure DevOps, IDE viewers).

The whole log is one JSON document, so results are collected and written at the end. Every rule
is described in the log from its docstring, the same text ``metalint rule CODE`` prints.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from metalint import __version__
from metalint.diagnostics import Diagnostic, Fix, Severity, Span
from metalint.registry import Rule
from metalint.report.base import ReportOptions, Totals, relative_to_cwd
from metalint.rules import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SRCROOT = "%SRCROOT%"


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _artifact(path: str) -> dict[str, str]:
    """Relative to the folder metalint ran in, as code scanning wants, whenever possible."""
    candidate = relative_to_cwd(path)
    if candidate.is_absolute():
        return {"uri": candidate.as_uri()}
    return {"uri": quote(candidate.as_posix()), "uriBaseId": _SRCROOT}


def _physical(path: str, span: Span) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": _artifact(path), "region": _region(span)}}


def _fix(path: str, fix: Fix) -> dict[str, Any]:
    replacements = [
        {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.new_text}}
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": _artifact(path), "replacements": replacements}],
        # SARIF has no word for it; a property bag is where a tool puts its own facts.
        "properties": {"applicability": fix.applicability},
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does") or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [rule.scope.value], "fixable": rule.fixable},
    }


class SarifReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._rules = all_rules()
        self._index = {rule.code: i for i, rule in enumerate(self._rules)}
        self._results: list[dict[str, Any]] = []

    def add(self, diagnostic: Diagnostic) -> None:
        d = diagnostic
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": self._index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [_physical(d.path, d.span)],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_physical(r.path, r.span), "message": {"text": r.message}}
                for i, r in enumerate(d.related, 1)
            ]
        if d.fix is not None:
            result["fixes"] = [_fix(d.path, d.fix)]
        self._results.append(result)

    def finish(self, totals: Totals) -> None:
        root = Path.cwd().as_uri() + "/"
        log = {
            "version": "2.1.0",
            "$schema": SCHEMA,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "metalint",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "informationUri": "https://pypi.org/project/metalint/",
                            "rules": [_rule(rule) for rule in self._rules],
                        }
                    },
                    "originalUriBaseIds": {_SRCROOT: {"uri": root}},
                    "columnKind": "unicodeCodePoints",
                    "results": self._results,
                }
            ],
        }
        self._out.write(json.dumps(log, indent=2) + os.linesep)
