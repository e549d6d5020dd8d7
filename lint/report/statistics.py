"""``--statistics``: how many findings each rule made, most first, instead of the findings."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from metalint.diagnostics import Diagnostic
from metalint.report.base import ReportOptions, Totals


class StatisticsReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._counts: Counter[tuple[str, str]] = Counter()
        self._fixable: set[str] = set()

    def add(self, diagnostic: Diagnostic) -> None:
        self._counts[diagnostic.code, diagnostic.name] += 1
        if diagnostic.fix is not None:
            self._fixable.add(diagnostic.code)

    def finish(self, totals: Totals) -> None:
        if not self._counts:
            return
        ranked = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        width = len(str(ranked[0][1]))
        name_width = max(len(name) for (_, name), _ in ranked)
        for (code, name), count in ranked:
            mark = "[*]" if code in self._fixable else "   "
            self._out.write(
                f"{count:>{width}}  {code}  {name:<{name_width}}  {mark}\n".rstrip() + "\n"
            )
        if self._fixable:
            self._out.write("[*] some findings of this rule carry a fix\n")
