"""Baselines: the findings a manifest already had, recorded once so that later runs report only
new ones.

A team adopts metalint on manifests that already draw findings: ``--write-baseline FILE``
records them, ``--baseline FILE`` leaves them out. Each is kept by its fingerprint (rule, path,
the line's content and an occurrence count; report/fingerprint.py), not its line number, so a
recorded finding stays recorded when lines are inserted or removed above it, and a finding on a
line whose content changed is new. A recorded finding that no run finds any more is *stale*:
the front end says so, since the baseline then hides less than it claims.

The file is JSON, paths relative to its folder (so a baseline committed beside the manifests
holds wherever the checkout is), its fingerprints shortened to 64 bits: ample to tell apart the
findings of one rule in one file.

    {"metalint-baseline": 1,
     "findings": {"bucket/increment.meta": {"ML101": ["9f2c...", ...], ...}, ...}}
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from metalint.atomic import write_atomically
from metalint.diagnostics import Diagnostic
from metalint.report.base import SourceLines
from metalint.report.fingerprint import Fingerprints

VERSION = 1
_DIGITS = 16
"""Hexadecimal digits kept of each fingerprint."""
STDIN = "-"


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message says which and why."""


class Stale(NamedTuple):
    path: str
    code: str
    findings: int


class Baseline:
    """The recorded findings of one baseline file, by path and code: how many times each
    fingerprint was recorded and not yet matched."""

    def __init__(self, file: Path, sources: SourceLines) -> None:
        self.file = file
        self._folder = Path(os.path.abspath(file)).parent
        self._fingerprints = Fingerprints(sources)
        self._recorded: dict[str, dict[str, Counter[str]]] = {}
        self.matched = 0
        """Diagnostics left out so far, because the baseline records them."""

    @classmethod
    def read(cls, file: Path, sources: SourceLines) -> Baseline:
        baseline = cls(file, sources)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise BaselineError(f"cannot read the baseline {file}: {reason}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(
                f"{file}:{exc.lineno}:{exc.colno}: not a metalint baseline: {exc.msg}"
            ) from None
        baseline._recorded = _findings(file, data)
        return baseline

    def record(self, diagnostic: Diagnostic) -> None:
        path, fingerprint = self._name(diagnostic)
        self._recorded.setdefault(path, {}).setdefault(diagnostic.code, Counter())[fingerprint] += 1

    def write(self) -> int:
        """Write the recorded findings to the file, atomically; how many there are."""
        findings = {
            path: {code: sorted(counts.elements()) for code, counts in sorted(codes.items())}
            for path, codes in sorted(self._recorded.items())
        }
        data = json.dumps({"metalint-baseline": VERSION, "findings": findings}, indent=1)
        if not write_atomically(self.file, data.encode() + b"\n"):
            raise BaselineError(f"cannot write the baseline {self.file}")
        return sum(len(prints) for codes in findings.values() for prints in codes.values())

    def new_findings(self, diagnostics: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
        """The diagnostics the baseline does not record; each recorded finding matches once."""
        for diagnostic in diagnostics:
            path, fingerprint = self._name(diagnostic)
            counts = self._recorded.get(path, {}).get(diagnostic.code)
            if counts and counts[fingerprint] > 0:
                counts[fingerprint] -= 1
                self.matched += 1
            else:
                yield diagnostic

    def stale(self) -> list[Stale]:
        """The recorded findings no diagnostic matched, by path and code."""
        return [
            Stale(path, code, total)
            for path, codes in sorted(self._recorded.items())
            for code, counts in sorted(codes.items())
            if (total := sum(counts.values()))
        ]

    def _name(self, diagnostic: Diagnostic) -> tuple[str, str]:
        path = diagnostic.path
        if path != STDIN:
            path = Path(os.path.relpath(os.path.abspath(path), self._folder)).as_posix()
        return path, self._fingerprints.of(diagnostic, path)[:_DIGITS]


def _findings(file: Path, data: Any) -> dict[str, dict[str, Counter[str]]]:
    """The findings of a baseline's JSON, checked to be what ``Baseline.write`` writes."""

    def refuse(what: str) -> BaselineError:
        return BaselineError(f"{file}: not a metalint baseline: {what}")

    if not isinstance(data, dict) or "metalint-baseline" not in data:
        raise refuse('no "metalint-baseline" version at the top')
    if data["metalint-baseline"] != VERSION:
        raise refuse(
            f"version {data['metalint-baseline']!r}; this metalint reads version {VERSION}"
        )
    findings = data.get("findings")
    if not isinstance(findings, dict):
        raise refuse('"findings" is not an object of paths')
    recorded: dict[str, dict[str, Counter[str]]] = {}
    for path, codes in findings.items():
        if not isinstance(codes, dict):
            raise refuse(f"the findings of {path!r} are not an object of rule codes")
        for code, prints in codes.items():
            if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
                raise refuse(f"the {code} findings of {path!r} are not a list of fingerprints")
            recorded.setdefault(path, {})[code] = Counter(prints)
    return recorded
