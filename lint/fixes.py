"""Applying fixes: the one implementation behind ``--fix``, ``--diff`` and tests of fixes.

Positions follow the diagnostics' model: 1-based lines split on ``\\n`` and columns counted in
characters. A position one past the last line stands for the end of the data, so an edit can
delete a whole line with its newline.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Generic, TypeVar

from metalint.diagnostics import Diagnostic, Fix, Span, TextEdit

Position = TypeVar("Position", int, tuple[int, int])


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


class TakenRanges(Generic[Position]):
    """The ranges already edited, sorted and disjoint, so that a new range is checked against
    its neighbours only: fixes arrive nearly in file order, and a manifest may offer a million
    of them. A position is a byte offset or a (line, column) pair: anything ordered."""

    def __init__(self) -> None:
        self._ranges: list[tuple[Position, Position]] = []

    def overlaps(self, begin: Position, end: Position) -> bool:
        """Whether ``[begin, end)`` overlaps a taken range, or is the same empty range as one
        (two insertions at one place would come out in no defined order)."""
        ranges = self._ranges
        at = bisect.bisect_left(ranges, (begin, end))
        if at < len(ranges) and ranges[at] == (begin, end) and begin == end:
            return True
        # Ends grow with beginnings (the ranges are disjoint): only the range before can reach
        # past ``begin``, and only those from ``at`` on that start before ``end`` can overlap.
        if at > 0 and begin < ranges[at - 1][1]:
            return True
        while at < len(ranges) and ranges[at][0] < end:
            if begin < ranges[at][1]:
                return True
            at += 1
        return False

    def add(self, begin: Position, end: Position) -> None:
        bisect.insort(self._ranges, (begin, end))

    def take_all(self, ranges: list[tuple[Position, Position]]) -> bool:
        """Add every range of one fix, unless one overlaps another of them or a range
        taken: a fix stands or falls whole."""
        own: TakenRanges[Position] = TakenRanges()
        for begin, end in ranges:
            if own.overlaps(begin, end) or self.overlaps(begin, end):
                return False
            own.add(begin, end)
        for begin, end in ranges:
            self.add(begin, end)
        return True


def _ranges(edits: Iterable[TextEdit]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [((e.span.line, e.span.column), (e.span.end_line, e.span.end_column)) for e in edits]


def apply_edits(data: bytes, edits: Iterable[TextEdit]) -> tuple[bytes, int]:
    """``data`` with the edits applied, and how many were; an edit overlapping one already
    taken is left out (running the linter again offers it anew)."""
    starts = _line_starts(data)
    taken: TakenRanges[int] = TakenRanges()
    placed: list[tuple[int, int, bytes]] = []
    for edit in edits:
        s, e = edit.span, edit.span
        begin = _offset(data, starts, s.line, s.column)
        end = _offset(data, starts, e.end_line, e.end_column)
        if end < begin:
            raise FixError("an edit ends before it starts")
        if taken.overlaps(begin, end):
            continue
        taken.add(begin, end)
        placed.append((begin, end, edit.new_text.encode("utf-8")))
    return _spliced(data, placed), len(placed)


def _spliced(data: bytes, placed: list[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each disjoint ``(begin, end, text)`` replacement made, in one pass."""
    # Views, not slices: a slice of a 200 MB manifest would copy it once more.
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    at = 0
    for begin, end, text in sorted(placed):
        pieces.append(view[at:begin])
        pieces.append(text)
        at = end
    pieces.append(view[at:])
    return b"".join(pieces)


def chosen_fixes(diagnostics: Iterable[Diagnostic]) -> Iterator[Fix]:
    """The fixes to apply together: in order, each whole (its edits stand or fall together),
    leaving out one that overlaps a fix already chosen (the next lint offers it again)."""
    taken: TakenRanges[tuple[int, int]] = TakenRanges()
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is not None and taken.take_all(_ranges(fix.edits)):
            yield fix


def apply_fixes(data: bytes, diagnostics: Iterable[Diagnostic]) -> tuple[bytes, int]:
    """``data`` with the fixes applied (see ``apply_fixes_streaming``), and how many."""
    out = io.BytesIO()
    with io.BytesIO(data) as source:
        applied, _ = apply_fixes_streaming(source, diagnostics, out)
    return out.getvalue(), applied


def apply_fixes_streaming(
    source: IO[bytes], diagnostics: Iterable[Diagnostic], out: IO[bytes]
) -> tuple[int, bool]:
    """``apply_fixes`` from stream to stream: the lines of ``source`` copied to ``out`` with
    the fixes applied, holding a few lines at a time, whatever the size of the manifest. How
    many fixes were applied, and whether any of them changed a byte.

    The diagnostics come in file order, as the engine streams them, and a fix edits its own
    line, so the lines before a diagnostic's can be written once no fix taken reaches into
    them. A fix that reaches back into lines already written is left for the next round, as
    an overlapping one is; none of metalint's does.
    """
    copier = _Copier(source, out)
    applied = 0
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None:
            continue
        ranges = _ranges(fix.edits)
        first = min(begin[0] for begin, _ in ranges)
        if first < copier.next_line:
            continue
        copier.flush(first)
        if copier.taken.take_all(ranges):
            copier.pending.extend(fix.edits)
            applied += 1
    copier.flush(None)
    return applied, copier.changed


class _Copier:
    """Copies the lines of ``source`` to ``out``, applying the edits taken as it goes."""

    def __init__(self, source: IO[bytes], out: IO[bytes]) -> None:
        self.source = source
        self.out = out
        self.next_line = 1
        """The first line not yet written."""
        self.pending: list[TextEdit] = []
        """The edits taken and not yet written, none before ``next_line``."""
        self.taken: TakenRanges[tuple[int, int]] = TakenRanges()
        """The ranges of the pending edits."""
        self.changed = False

    def flush(self, before: int | None) -> None:
        """Write the lines before line ``before`` (None: to the end) that no pending edit
        reaches past, with the pending edits among them applied."""
        pending = self.pending
        if before is not None:
            # An edit that takes a line's ending ends at the start of the next line.
            reaching = [
                e.span.line for e in pending if (e.span.end_line, e.span.end_column) > (before, 1)
            ]
            before = min([before, *reaching])
        within = [e for e in pending if before is None or e.span.line < before]
        if within:
            first = min(e.span.line for e in within)
            last = max(_last_line(e.span) for e in within)
            self.out.writelines(self._lines(first))
            chunk = b"".join(self._lines(last + 1))
            moved = [TextEdit(e.span.moved_down(1 - first), e.new_text) for e in within]
            fixed, _ = apply_edits(chunk, moved)
            self.changed = self.changed or fixed != chunk
            self.out.write(fixed)
            self.pending = [e for e in pending if before is not None and e.span.line >= before]
            self.taken = TakenRanges()
            for begin, end in _ranges(self.pending):
                self.taken.add(begin, end)
        self.out.writelines(self._lines(before))

    def _lines(self, before: int | None) -> Iterator[bytes]:
        """The lines of ``source`` from ``next_line`` to just before ``before``."""
        while before is None or self.next_line < before:
            line = self.source.readline()
            if not line:
                return
            self.next_line += 1
            yield line


def _last_line(span: Span) -> int:
    """The last line whose text or ending ``span`` covers."""
    if span.end_column == 1 and span.end_line > span.line:
        return span.end_line - 1
    return span.end_line


def fixed_lines(
    text: str, ending: bytes, lineno: int, edits: Sequence[TextEdit]
) -> list[bytes] | None:
    """What line ``lineno`` (``text``, decoded, and its ``ending``) becomes under the edits
    of one fix: its lines, each with its ending, split as the engine splits a file (none when
    the edits delete the line). None when an edit reaches past the line or writes a lone
    surrogate, which UTF-8 cannot hold: such a fix is no fix.

    The edits of one fix do not overlap, so this is ``apply_edits`` on a single line,
    without the line index it builds for a whole file: it runs for every fix offered.
    """
    if len(edits) == 1:  # the usual fix: one value replaced within the line's text
        ((line, column, end_line, end_column), new_text) = edits[0]
        if line == end_line == lineno and 1 <= column <= end_column <= len(text) + 1:
            made = text[: column - 1] + new_text + text[end_column - 1 :]
            try:
                data = made.encode("utf-8") + ending
            except UnicodeEncodeError:
                return None
            if "\n" not in new_text:
                return [data] if data else []
            return io.BytesIO(data).readlines()
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
