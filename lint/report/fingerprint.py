"""What a finding is about, independent of where it sits: its rule, its file, the text of its line.

A finding moves when lines are inserted above it, and keeps its meaning; a line number would
call it new. So GitLab's fingerprints and the baselines name a finding by its code, its path, the
content of its line (nothing for a finding about the whole file) and the key it is about, with
an occurrence count for findings that share all of these.
"""

from __future__ import annotations

import hashlib

from metalint.diagnostics import Diagnostic
from metalint.registry import Scope
from metalint.report.base import SourceLines
from metalint.rules import get_rule


class Fingerprints:
    """Hands out each finding's fingerprint: a SHA-256 of what it is about and of how many
    findings about the same thing came before it in the run."""

    def __init__(self, sources: SourceLines) -> None:
        self._sources = sources
        self._seen: dict[bytes, int] = {}

    def of(self, diagnostic: Diagnostic, path: str) -> str:
        """The fingerprint of ``diagnostic``, its file named ``path`` (the same file must be
        named the same way throughout a run)."""
        d = diagnostic
        rule = get_rule(d.code)
        about_the_file = rule is not None and rule.scope is Scope.FILE
        text = "" if about_the_file else self._sources.line(d.path, d.span.line) or ""
        about = "\0".join((d.code, path, text, d.key or "")).encode("utf-8", "surrogatepass")
        count = self._seen.get(about, 0)
        self._seen[about] = count + 1
        return hashlib.sha256(about + b"\0" + str(count).encode()).hexdigest()
