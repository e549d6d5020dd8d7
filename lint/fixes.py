"""Applying fixes: the one implementation behind ``--fix``, ``--diff`` and tests of fixes.

Positions follow the diagnostics' model: 1-based lines split on ``\\n`` and columns counted in
characters. A position one past the last line stands for the end of the data, so an edit can
delete a whole line with its newline.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from metalint.diagnostics import Diagnostic, TextEdit


class FixError(ValueError):
    """An edit that does not fit the data it is applied to."""


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    at = data.find(b"\n")
    while at != -1:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    return starts


def _offset(data: bytes, starts: Sequence[int], line: int, column: int) -> int:
    if line == len(starts) + 1 and column == 1:
        return len(data)
    if not 1 <= line <= len(starts):
        raise FixError(f"line {line} is outside the data")
    start = starts[line - 1]
    if column == 1:
        return start
    end = starts[line] - 1 if line < len(starts) else len(data)
    try:
        text = data[start:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixError(f"line {line} is not UTF-8") from exc
    if column - 1 > len(text) + 1:
        raise FixError(f"column {column} is past the end of line {line}")
    return start + len(text[: column - 1].encode("utf-8")) + max(0, column - 1 - len(text))


def apply_edits(data: bytes, edits: Iterable[TextEdit]) -> tuple[bytes, int]:
    """``data`` with the edits applied, and how many were; an edit overlapping one already
    taken is left out (running the linter again offers it anew)."""
    starts = _line_starts(data)
    placed: list[tuple[int, int, bytes]] = []
    for edit in edits:
        s, e = edit.span, edit.span
        begin = _offset(data, starts, s.line, s.column)
        end = _offset(data, starts, e.end_line, e.end_column)
        if end < begin:
            raise FixError("an edit ends before it starts")
        if any(begin < other_end and other_begin < end for other_begin, other_end, _ in placed):
            continue
        if any(begin == end == b == o for b, o, _ in placed):
            continue
        placed.append((begin, end, edit.new_text.encode("utf-8")))
    out = bytearray(data)
    for begin, end, text in sorted(placed, reverse=True):
        out[begin:end] = text
    return bytes(out), len(placed)


def apply_fixes(data: bytes, diagnostics: Iterable[Diagnostic]) -> tuple[bytes, int]:
    """``data`` with every non-overlapping fix applied whole (a fix's edits stand or fall
    together), and the number of fixes applied."""
    chosen: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    starts = _line_starts(data)
    applied = 0
    for diagnostic in diagnostics:
        if diagnostic.fix is None:
            continue
        ranges = [
            (
                _offset(data, starts, ed.span.line, ed.span.column),
                _offset(data, starts, ed.span.end_line, ed.span.end_column),
            )
            for ed in diagnostic.fix.edits
        ]
        if any((b < oe and ob < e) or b == e == ob == oe for b, e in ranges for ob, oe in taken):
            continue
        taken.extend(ranges)
        chosen.extend(diagnostic.fix.edits)
        applied += 1
    fixed, _ = apply_edits(data, chosen)
    return fixed, applied


def fixed_lines(
    text: str, ending: bytes, lineno: int, edits: Iterable[TextEdit]
) -> list[bytes] | None:
    """What line ``lineno`` (``text``, decoded, and its ``ending``) becomes under the edits
    of one fix: its lines, each with its ending, split as the engine splits a file (none when
    the edits delete the line). None when an edit reaches past the line or writes a lone
    surrogate, which UTF-8 cannot hold: such a fix is no fix.

    The edits of one fix do not overlap, so this is ``apply_edits`` on a single line,
    without the line index it builds for a whole file: it runs for every fix offered.
    """
    whole = text + ending.decode("ascii")
    placed = []
    for edit in edits:
        begin = _column_offset(whole, len(text), lineno, edit.span.line, edit.span.column)
        end = _column_offset(whole, len(text), lineno, edit.span.end_line, edit.span.end_column)
        if begin is None or end is None or end < begin:
            return None
        placed.append((begin, end, edit.new_text))
    for begin, end, new_text in sorted(placed, reverse=True):
        whole = whole[:begin] + new_text + whole[end:]
    try:
        data = whole.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return io.BytesIO(data).readlines()


def _column_offset(whole: str, length: int, lineno: int, line: int, column: int) -> int | None:
    """The offset in ``whole`` (a line of ``length`` characters and its ending) of a position;
    column 1 of the next line is the end of the ending."""
    if line == lineno and 1 <= column <= length + 1:
        return column - 1
    if line == lineno + 1 and column == 1:
        return len(whole)
    return None
