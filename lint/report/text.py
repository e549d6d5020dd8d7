"""The human formats: one line per finding, and with ``full`` the source line under it.

text     path:line:col: CODE [name] severity: message, with the source on a terminal
full     the same, always with the source line, a marker under the span and the fix
concise  path:line:col: CODE message
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import replace
from typing import TextIO

from metalint.diagnostics import Diagnostic, Severity
from metalint.registry import Scope
from metalint.report.base import ReportOptions, Totals
from metalint.rules import get_rule

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_SEVERITY_STYLE = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;36m",
}
_GREEN = "\033[1;32m"

_WHOLE_LINE_UP_TO = 120
"""Longer source lines are cut to a window around the span: manifest lines run to kilobytes."""
_WINDOW = 100
_CONTEXT_BEFORE = 30


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _shown_char(char: str) -> str:
    """How a character is drawn so that the marker line below stays aligned with it."""
    if char == "\t":
        return " "
    category = unicodedata.category(char)
    if category == "Cc":
        return "?"
    if category == "Cf":
        return ""
    return char


@functools.lru_cache(maxsize=256)
def shown_path(path: str) -> str:
    """``path`` with its unprintable characters escaped: a newline in a file name must not
    break the ``path:line:col`` that editors and scripts read off each line."""
    if path.isprintable():
        return path
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in path
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 or word == "info" else f"{count} {word}s"


class TextReporter:
    _fix_hints = False

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self._out = out
        self._options = options

    def _style(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self._options.color else text

    def add(self, diagnostic: Diagnostic) -> None:
        d = diagnostic
        if self._options.color:
            where = self._style(f"{shown_path(d.path)}:{d.span.line}:{d.span.column}:", _BOLD)
            code = self._style(d.code, _BOLD)
            severity = self._style(f"{d.severity.value}:", _SEVERITY_STYLE[d.severity])
            self._out.write(f"{where} {code} [{d.name}] {severity} {d.message}\n")
        else:
            code, name, severity, message, path, span, *_ = d
            # A str enum formats as its value; reading .value would cost a property call.
            self._out.write(
                f"{shown_path(path)}:{span.line}:{span.column}: {code} [{name}] {severity}: "
                f"{message}\n"
            )
        if self._options.show_source:
            self._source(d)
            if self._fix_hints and d.fix is not None:
                print(f"  {self._style('fix:', _BOLD)} {d.fix.description}", file=self._out)
            for related in d.related:
                note = f"{shown_path(related.path)}:{related.span.line}:{related.span.column}"
                print(f"  {self._style('note:', _BOLD)} {note}: {related.message}", file=self._out)
            print(file=self._out)

    def _source(self, d: Diagnostic) -> None:
        rule = get_rule(d.code)
        if rule is not None and rule.scope is Scope.FILE:
            return  # about the whole file: line 1 is only a conventional anchor
        text = self._options.sources.line(d.path, d.span.line)
        if text is None:
            return
        start = min(d.span.column - 1, len(text))
        end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(text)
        end = max(min(end, len(text)), start)
        first, last = 0, len(text)
        if len(text) > _WHOLE_LINE_UP_TO:
            first = max(0, min(start - _CONTEXT_BEFORE, len(text) - _WINDOW))
            last = min(len(text), first + _WINDOW)
        before = "".join(_shown_char(c) for c in text[first:start])
        inside = "".join(_shown_char(c) for c in text[start : min(end, last)])
        after = "".join(_shown_char(c) for c in text[min(end, last) : last])
        lead = "…" if first > 0 else ""
        tail = "…" if last < len(text) else ""
        gutter = f"{d.span.line} | "
        pad = " " * (len(gutter) - 2) + "| "
        marker_offset = sum(_char_width(c) for c in lead + before)
        marker = "^" * max(1, sum(_char_width(c) for c in inside))
        style = _SEVERITY_STYLE[d.severity]
        print(self._style(gutter, _DIM) + lead + before + inside + after + tail, file=self._out)
        print(
            self._style(pad, _DIM) + " " * marker_offset + self._style(marker, style),
            file=self._out,
        )

    def finish(self, totals: Totals) -> None:
        if self._options.quiet:
            return
        counts = totals.by_severity
        files = _plural(totals.files, "file")
        left_out = (
            f" ({_plural(totals.baselined, 'finding')} of the baseline left out)"
            if totals.baselined
            else ""
        )
        if not any(counts.values()):
            if totals.files == 0:
                print("Nothing checked: no increment.meta found", file=self._out)
            else:
                all_clear = self._style(f"All clear: {files} checked", _GREEN)
                print(all_clear + left_out, file=self._out)
            return
        summary = ", ".join(
            _plural(counts[severity], severity.value)
            for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        )
        print(f"{self._style(summary, _BOLD)} in {files}{left_out}", file=self._out)
        if totals.fixable or totals.unsafe_fixable:
            more = (
                f" ({totals.unsafe_fixable} more with --unsafe-fixes)"
                if totals.unsafe_fixable
                else ""
            )
            print(f"{totals.fixable} fixable with --fix{more}", file=self._out)


class FullReporter(TextReporter):
    """The text format with every finding's source line and fix, terminal or not: for a CI
    log, where nobody can open the file at the line."""

    _fix_hints = True

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        super().__init__(out, replace(options, show_source=True))


class ConciseReporter(TextReporter):
    """One line per finding, nothing else on it: for grep, editors' error lists, and logs."""

    def add(self, diagnostic: Diagnostic) -> None:
        d = diagnostic
        span = d.span
        self._out.write(f"{shown_path(d.path)}:{span.line}:{span.column}: {d.code} {d.message}\n")
