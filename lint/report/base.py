"""What every reporter shares: the protocol, its options, the totals and the source lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from metalint.diagnostics import Diagnostic, Severity


@dataclass
class Totals:
    """Counts for the closing summary; the front end fills ``files``."""

    files: int = 0
    by_severity: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(Severity, 0))
    fixable: int = 0
    """Findings with a safe fix, which ``--fix`` would apply."""
    unsafe_fixable: int = 0
    baselined: int = 0
    """Findings left out, as the baseline records them (``--baseline``)."""

    def count(self, diagnostic: Diagnostic) -> None:
        self.by_severity[diagnostic.severity] += 1
        fix = diagnostic.fix
        if fix is not None:
            if fix.safe:
                self.fixable += 1
            else:
                self.unsafe_fixable += 1

    @property
    def errors(self) -> int:
        return self.by_severity[Severity.ERROR]


class SourceLines:
    """Reads back the few source lines a reporter shows, one file at a time.

    Diagnostics arrive sorted by line within a file, so one forward pass over each file suffices;
    standard input, which cannot be read twice, is kept in ``in_memory`` by the front end.
    """

    def __init__(self, in_memory: Mapping[str, bytes] | None = None) -> None:
        self._in_memory = {path: data.split(b"\n") for path, data in (in_memory or {}).items()}
        self._path: str | None = None
        self._handle: BinaryIO | None = None
        self._lineno = 0
        self._last = b""

    def line(self, path: str, lineno: int) -> str | None:
        """Line ``lineno`` (1-based) of ``path`` without its ending, or None if unavailable."""
        raw = self._raw(path, lineno)
        if raw is None:
            return None
        return raw.rstrip(b"\r\n").decode("utf-8", errors="replace")

    def _raw(self, path: str, lineno: int) -> bytes | None:
        lines = self._in_memory.get(path)
        if lines is not None:
            return lines[lineno - 1] if 0 < lineno <= len(lines) else None
        if path != self._path or lineno < self._lineno:
            self._open(path)
        if self._handle is None:
            return None
        while self._lineno < lineno:
            self._last = self._handle.readline()
            if not self._last:
                return None
            self._lineno += 1
        return self._last

    def _open(self, path: str) -> None:
        self.close()
        self._path = path
        try:
            self._handle = open(path, "rb")  # noqa: SIM115 -- kept open across calls
        except OSError:
            self._handle = None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._lineno = 0
        self._last = b""


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    show_source: bool = False
    """Print each finding's source line with a marker under the span."""
    quiet: bool = False
    """Only the findings: no summary line."""
    sources: SourceLines = field(default_factory=SourceLines)


class Reporter(Protocol):
    """Receives the diagnostics in order, then the totals once at the end."""

    def add(self, diagnostic: Diagnostic) -> None: ...

    def finish(self, totals: Totals) -> None: ...


def relative_to_cwd(path: str) -> Path:
    """``path`` relative to the folder metalint ran in (a CI job's checkout), when it is under
    it; as it was given otherwise. Code scanning and merge-request widgets place findings by a
    path within the repository."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate
    return candidate
