"""One manifest held in memory and linted again edit by edit, as an editor needs it.

A ``Document`` keeps the lines of one manifest and what linting found there, and after an edit
lints only the lines the edit replaced. Its ``diagnostics()`` are always those ``lint_bytes``
would return for the document's bytes with images off: images are left to the front end.

Three kinds of finding are kept apart:

* *Line findings* (``Run.lint_line``) are stored with the line, computed as if the line were
  line 1 (the first line of the file) or line 2 (any other), and moved to the line's current
  number when returned. The first line is the only one linted differently (a byte-order mark
  is allowed there only), so an edit that changes which line comes first lints that line
  again.
* *Between-line findings* come from pairs of lines in one *group*: the ADDs and DELETEs of
  one product (by product key, as the index keys them), or the copies of one line that is no
  operation (by its bytes without the ending). An edit pairs again just the groups it added
  lines to or took lines from. A product's lines are replayed in order into a fresh
  ``LineIndex``, so their pairs come out exactly as the batch engine makes them, copies of
  a line paired with another included (``endpass._with_copies``). Copies of a line that is no
  operation are each paired with the first copy, which is what the index does with them;
  since a group holds equal lines only, that needs no replay, and only the lines that came
  or went change pairs unless the first one did (lines whose text hashes collide, which the
  index would also pair and then sort out by their copies, come out the same). Only the
  pairs that yield a finding are kept; their messages name other lines, so they are
  rendered again once the numbers of their lines have changed.
* *File findings* (ML001, ML011) are made on demand from a running count of operations.

An edit costs the lines it replaces, the lines of the products it touches, the pairs that
change, and a walk renumbering the lines after it when it changes how many lines there are;
``diagnostics()`` costs the findings.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from metalint.config import Config
from metalint.diagnostics import Diagnostic, Span
from metalint.index import LineIndex, product_key
from metalint.line import LineContext
from metalint.manifest import FileFacts
from metalint.older import CURRENT_KEYS, OLDER_OPERATION, LineFormat, line_format
from metalint.run import Run

_VERDICTS_UP_TO = 1 << 16
"""How many pair verdicts are remembered before the memory is emptied."""


class _Line:
    """One line of the document and what linting it on its own found."""

    __slots__ = (
        "base", "current", "diagnostics", "group", "is_operation", "no", "older", "operations",
        "raw", "shown",
    )  # fmt: skip

    group: _Group

    def __init__(self, run: Run, no: int, raw: bytes) -> None:
        base = 1 if no == 0 else 2
        verdict = run.lint_line(base, raw)
        self.no = no
        """The line's 0-based place in the document, kept up to date after every edit."""
        self.raw = raw
        """The line's bytes with its ending."""
        self.base = base
        """The line number the line was linted as: 1 for the first line, 2 for any other."""
        self.diagnostics = verdict.diagnostics
        """The line findings, for line ``base``."""
        self.shown = (base, self.diagnostics)
        """The line findings moved to the line number they were last returned for."""
        self.operations = verdict.operations
        obj = verdict.obj
        form = None if obj is None else line_format(obj)
        self.older = form is LineFormat.OLDER
        self.current = form is LineFormat.CURRENT and not CURRENT_KEYS.isdisjoint(obj or ())
        """Whether the line is of the older format, or of the current one, as the batch engine
        tallies them (``FormatTally``)."""
        operation = None
        if obj is not None:
            operation = obj.get(OLDER_OPERATION if self.older else "OperationType")
        self.is_operation = operation in ("ADD", "DELETE")
        """What the batch engine counts as an operation for ML011."""


_NO = attrgetter("no")


class _Group:
    """The lines that may pair with each other: the operations on one product (by product
    key, as the index keys them), or the copies of one line that is no operation."""

    __slots__ = ("found", "key", "members", "products", "texts")

    def __init__(self, key: int | bytes, *, products: bool) -> None:
        self.key = key
        self.products = products
        self.members: list[_Line] = []
        """In line order."""
        self.found: dict[tuple[_Line, _Line], _Found] = {}
        """The (later, earlier) pairs that yield findings, in line order."""
        self.texts: dict[bytes, int] = {}
        """How many members have each set of bytes with the ending (lines that are no
        operation only): a few at most, since they differ only in their endings."""

    def forget_text(self, raw: bytes) -> None:
        left = self.texts[raw] - 1
        if left:
            self.texts[raw] = left
        else:
            del self.texts[raw]


@dataclass(slots=True)
class _Change:
    """What an edit did to a group."""

    first: _Line | None
    """The group's first line before the edit."""
    added: list[_Line] = field(default_factory=list)
    removed: list[_Line] = field(default_factory=list)


def _bare(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def split_lines(data: bytes) -> list[bytes]:
    """``data`` cut into lines with their endings, as the engine reads a stream (only
    ``\\n`` ends a line; the last line may have no ending)."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


@dataclass(slots=True)
class _Found:
    """The findings of one pair of lines, rendered for the line numbers they had then."""

    later_no: int
    earlier_no: int
    diagnostics: list[Diagnostic]


class Document:
    """A manifest's lines and findings, kept current edit by edit (images are not checked)."""

    def __init__(self, path: str, data: bytes, config: Config) -> None:
        self.path = path
        self._run = Run(path, config)
        self._lines: list[_Line] = []
        self._products: dict[int, _Group] = {}
        """The operation lines, by product key."""
        self._texts: dict[bytes, _Group] = {}
        """The lines that are no operation, by their bytes without the ending."""
        self._paired: dict[_Group, None] = {}
        """The groups with between-line findings."""
        self._verdicts: dict[tuple[bytes, bytes, bool, bool], bool] = {}
        """Whether a pair yields findings, by the two lines' bytes and whether each is the
        first line: the rules read nothing else that can change it, so a group of many equal
        lines (blank ones, say) costs one check when its first line changes, not one each."""
        self._flagged: dict[_Line, None] = {}
        """The lines with line findings."""
        self._operations = 0
        self._older = 0
        self._current = 0
        """How many lines are of the older format, and of the current one."""
        self._result: list[Diagnostic] | None = None
        self._splice(0, 0, split_lines(data))

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._lines)

    def lines(self) -> list[bytes]:
        """The document's lines, each with its ending."""
        return [line.raw for line in self._lines]

    def line(self, no: int) -> bytes:
        """Line ``no`` (0-based) with its ending, without copying the others."""
        return self._lines[no].raw

    def data(self) -> bytes:
        return b"".join(line.raw for line in self._lines)

    def diagnostics(self) -> list[Diagnostic]:
        """What ``lint_bytes`` finds in the document (images off), in its order."""
        if self._result is None:
            found: list[Diagnostic] = []
            for line in self._flagged:
                if line.shown[0] != line.no + 1:
                    shift = line.no + 1 - line.base
                    line.shown = (line.no + 1, [d.moved_down(shift) for d in line.diagnostics])
                found.extend(line.shown[1])
            for group in self._paired:
                pairs = group.found
                for (later, earlier), kept in pairs.items():
                    if (kept.later_no, kept.earlier_no) != (later.no, earlier.no):
                        pairs[later, earlier] = kept = self._render(later, earlier)
                    found.extend(kept.diagnostics)
            found.extend(self._file_findings())
            found.sort(key=_order)
            self._result = found
        return list(self._result)

    # -- editing --------------------------------------------------------------------------

    def edit(self, start: int, end: int, new_lines: list[bytes]) -> None:
        """Replace lines ``[start, end)`` (0-based) with ``new_lines``, each with its ending.

        The document stays a sequence of whole lines: a new line without an ending joins the
        line after it, text added after a last line without an ending joins that line, and
        a new line holding several lines is cut up, just as the bytes would read.
        """
        count = len(self._lines)
        if not 0 <= start <= end <= count:
            raise IndexError(f"lines [{start}, {end}) are not within 0..{count}")
        chunk = b"".join(new_lines)
        if chunk and start > 0 and not self._lines[start - 1].raw.endswith(b"\n"):
            start -= 1  # only the last line can lack an ending, so end == count here
            chunk = self._lines[start].raw + chunk
        # The line after the edit is taken in when the edit's text does not end a line, and
        # when the edit is at the top: whichever line ends up first must be linted as first.
        if end < count and (start == 0 or (chunk and not chunk.endswith(b"\n"))):
            chunk += self._lines[end].raw
            end += 1
        self._splice(start, end, split_lines(chunk))

    def _splice(self, start: int, end: int, raws: list[bytes]) -> None:
        lines = self._lines
        changes: dict[_Group, _Change] = {}
        for line in lines[start:end]:
            self._forget(line, changes)
        run = self._run
        new = [_Line(run, no, raw) for no, raw in enumerate(raws, start)]
        lines[start:end] = new
        if len(new) != end - start:
            # Renumbering the lines below the edit is one pass of attribute stores, the one
            # cost of an edit that grows with the document (and only when lines come or go).
            for no in range(start + len(new), len(lines)):
                lines[no].no = no
        for line in new:
            self._remember(line, changes)
        for group, change in changes.items():
            if group.products:
                self._pair_product(group)
            else:
                self._pair_texts(group, change)
            if group.found:
                self._paired[group] = None
            else:
                self._paired.pop(group, None)
            if group.members:
                continue
            if isinstance(group.key, int):
                del self._products[group.key]
            else:
                del self._texts[group.key]
        self._result = None

    def _forget(self, line: _Line, changes: dict[_Group, _Change]) -> None:
        group = line.group
        members = group.members
        change = changes.get(group)
        if change is None:
            changes[group] = change = _Change(members[0])
        del members[bisect_left(members, line.no, key=_NO)]
        change.removed.append(line)
        if not group.products:
            group.forget_text(line.raw)
        self._flagged.pop(line, None)
        self._operations -= line.is_operation
        self._older -= line.older
        self._current -= line.current

    def _remember(self, line: _Line, changes: dict[_Group, _Change]) -> None:
        if line.operations:
            key = product_key(line.operations[0][1])
            group = self._products.get(key)
            if group is None:
                self._products[key] = group = _Group(key, products=True)
        else:
            bare = _bare(line.raw)
            group = self._texts.get(bare)
            if group is None:
                self._texts[bare] = group = _Group(bare, products=False)
        line.group = group
        members = group.members
        change = changes.get(group)
        if change is None:
            changes[group] = change = _Change(members[0] if members else None)
        insort(members, line, key=_NO)
        change.added.append(line)
        if not group.products:
            group.texts[line.raw] = group.texts.get(line.raw, 0) + 1
        if line.diagnostics:
            self._flagged[line] = None
        self._operations += line.is_operation
        self._older += line.older
        self._current += line.current

    # -- between lines --------------------------------------------------------------------

    def _pair_product(self, group: _Group) -> None:
        """Pair the lines of one product again, as the batch engine pairs them: replayed in
        order into an index of their own (the lines of a product are few)."""
        old, group.found = group.found, {}
        members = group.members
        if len(members) < 2 or not self._run.plan.between:
            return
        index = LineIndex()
        for line in members:
            assert line.operations
            for operation in line.operations:
                index.record(line.no + 1, *operation)
        pairs = set(index.pairs)
        pairs.update(index.product_delete_pairs())
        if not pairs:
            return
        by_lineno = {line.no + 1: line for line in members}
        for later_no, earlier_no in sorted(_with_copies(pairs, by_lineno)):
            later, earlier = by_lineno[later_no], by_lineno[earlier_no]
            kept = old.get((later, earlier)) or self._pair(later, earlier)
            if kept is not None:
                group.found[later, earlier] = kept

    def _pair_texts(self, group: _Group, change: _Change) -> None:
        """Pair equal lines that are no operation again. The index pairs each with the first
        of them (and no copy of another line can be among lines that are all equal), so
        unless the first line changed, only the lines that came or went change pairs."""
        members = group.members
        if len(members) < 2 or not self._run.plan.between:
            group.found = {}
            return
        first, found = members[0], group.found
        if first is change.first:
            for line in change.removed:
                found.pop((line, first), None)
            lines: Iterable[_Line] = (line for line in change.added if line is not first)
        else:
            found.clear()
            known = self._verdicts.get
            base = first.base == 1
            if all(known((raw, first.raw, False, base)) is False for raw in group.texts):
                return
            lines = members[1:]
        for line in lines:
            kept = self._pair(line, first)
            if kept is not None:
                found[line, first] = kept

    def _pair(self, later: _Line, earlier: _Line) -> _Found | None:
        """The findings of a pair, when it has any."""
        verdict = (later.raw, earlier.raw, later.base == 1, earlier.base == 1)
        if self._verdicts.get(verdict) is False:
            return None
        kept = self._render(later, earlier)
        if len(self._verdicts) >= _VERDICTS_UP_TO:
            self._verdicts.clear()
        self._verdicts[verdict] = bool(kept.diagnostics)
        return kept if kept.diagnostics else None

    def _render(self, later: _Line, earlier: _Line) -> _Found:
        """Run the between-line rules on a pair at the lines' current numbers."""
        run = self._run
        later_ctx = LineContext.of(run.path, later.no + 1, later.raw, run.config)
        earlier_ctx = LineContext.of(run.path, earlier.no + 1, earlier.raw, run.config)
        found = [
            run.diagnostic(rule, finding, later_ctx)
            for rule in run.plan.between
            for finding in rule.check(later_ctx, earlier_ctx)
        ]
        return _Found(later.no, earlier.no, found)

    # -- the file -------------------------------------------------------------------------

    def _file_findings(self) -> list[Diagnostic]:
        run = self._run
        count = len(self._lines)
        first_older = first_current = 0
        if self._older and self._current:
            # Only a file that mixes the formats is walked, for the first line of each.
            first_older = next(line.no + 1 for line in self._lines if line.older)
            first_current = next(line.no + 1 for line in self._lines if line.current)
        facts = FileFacts(
            self.path,
            Path(self.path).name,
            True,
            True,
            count,
            self._operations,
            count > 0,
            older_lines=self._older,
            current_lines=self._current,
            first_older=first_older,
            first_current=first_current,
        )
        return [
            run.diagnostic(rule, finding) for rule in run.plan.file for finding in rule.check(facts)
        ]


def _with_copies(pairs: set[tuple[int, int]], lines: dict[int, _Line]) -> set[tuple[int, int]]:
    """The pairs, and (copy, earliest identical line) for each line that repeats another line
    paired with the same earlier line, as ``endpass._with_copies`` adds them in the batch engine:
    the index remembers one line per image, so of ``v1``, ``v2``, ``v2`` it pairs the last
    line with the first only."""
    followers: dict[int, list[int]] = {}
    for later, earlier in pairs:
        followers.setdefault(earlier, []).append(later)
    found = set(pairs)
    for first, laters in followers.items():
        earliest = {_bare(lines[first].raw): first}
        for later in sorted(laters):
            same = earliest.setdefault(_bare(lines[later].raw), later)
            if same not in (later, first):
                found.add((later, same))
    return found


def _order(d: Diagnostic) -> tuple[Span, str]:
    return d.span, d.code
