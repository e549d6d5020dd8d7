"""The end of a manifest's lint: every finding, made in one more read of just the lines that
have any, in order, once the scan has indexed the whole file.

The slow lines get their line rules here (in forked workers beside this process when there
are many, ``metalint.fanout``), each line the index pairs with earlier ones gets the findings
between them, and each image finding its place on its line. The findings stream out sorted by
span and code: memory holds a few lines' worth of them, whatever their number.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from metalint import fanout
from metalint.diagnostics import Diagnostic, Span
from metalint.line import LineContext
from metalint.manifest import FileFacts
from metalint.older import OLDER_FORMAT, OLDER_IMAGES
from metalint.scan import Blocks

if TYPE_CHECKING:
    from metalint.images.stage import ImageFinding
    from metalint.run import Run

PARALLEL_MIN_SLOW_LINES = 2000
"""Below this many slow lines, forking a worker for their line rules costs more than it saves
(a fork and its first task cost a few milliseconds, a slow line 40 to 80 µs); a manifest with
one broken line in a thousand stays in one process up to two million lines."""
TASKS_PER_PROCESS = 16
"""Tasks of slow lines for each process, so that the processes finish close together."""
MIN_TASK_LINES = 64
MAX_TASK_LINES = 1024
"""Beyond this a task's results take memory for little gain in the cost of sending it."""


def findings(run: Run, blocks: Blocks, facts: FileFacts) -> Iterator[Diagnostic]:
    """Every diagnostic of the manifest ``run`` has scanned, sorted by span and code, made
    while reading just the lines that have any once more, in order. When there are many slow
    lines, their line rules run in several processes (``_checked_in_parallel``) and this one
    reads only the lines that the findings between lines and about images need."""
    images: dict[int, list[ImageFinding]] = {}
    for found in run.images.finish() if run.images is not None else ():
        images.setdefault(found.line, []).append(found)
    pairs = set(run.index.pairs)
    pairs.update(run.index.product_delete_pairs())
    partners: dict[int, list[int]] = {}
    for later, earlier in pairs:
        partners.setdefault(later, []).append(earlier)
    keep_until = _keep_until(pairs)
    file_level = sorted(run.diagnostic(r, f) for r in run.plan.file for f in r.check(facts))
    checked = _checked_in_parallel(run, blocks)
    if not keep_until and not images:
        yield from _slow_lines_only(run, blocks, checked, file_level)
        return
    slow = iter(run.slow_numbers)
    next_slow = next(slow, 0)
    read = blocks.reader()
    kept: dict[int, LineContext] = {}
    earliest: dict[int, dict[bytes, int]] = {}
    releases: dict[int, list[int]] = {}
    for lineno in _merged(run.slow_numbers, sorted(keep_until), sorted(images)):
        out: list[Diagnostic] = []
        if lineno == 1:
            out, file_level = file_level, []
        ctx = None
        if lineno == next_slow:
            if checked is None:
                raw = read(lineno)
                ctx, parsed = run.context(lineno, raw)
                run.check(ctx, raw, parsed, out)
            else:
                out.extend(next(checked))
            next_slow = next(slow, 0)
        if ctx is None and (lineno in keep_until or lineno in images):
            ctx, _ = run.context(lineno, read(lineno))
        if ctx is not None:
            paired = partners.get(lineno)
            if paired:
                out.extend(_between(run, ctx, paired, kept, earliest))
            for found in images.get(lineno, ()):
                out.append(_image_diagnostic(run, found, ctx))
            if keep_until.get(lineno, 0) > lineno:
                kept[lineno] = ctx
                releases.setdefault(keep_until[lineno], []).append(lineno)
        for done in releases.pop(lineno, ()):
            kept.pop(done, None)
            earliest.pop(done, None)
        if lineno > 1 and file_level:
            yield from file_level
            file_level = []
        if len(out) > 1:
            out.sort(key=_order)
        yield from out
    yield from file_level


def _slow_lines_only(
    run: Run,
    blocks: Blocks,
    checked: Iterator[list[Diagnostic]] | None,
    file_level: list[Diagnostic],
) -> Iterator[Diagnostic]:
    """``findings`` of a manifest whose lines are not paired and whose images found nothing:
    the slow lines' own findings, after the file's (or among them, on line 1). A manifest
    with a mistake on every line is such a manifest, and this loop runs once for each."""
    numbers = run.slow_numbers
    if not numbers or numbers[0] != 1:
        yield from file_level
        file_level = []
    read = blocks.reader()
    for lineno in numbers:
        if checked is None:
            raw = read(lineno)
            ctx, parsed = run.context(lineno, raw)
            out: list[Diagnostic] = []
            run.check(ctx, raw, parsed, out)
        else:
            out = next(checked)
        if file_level:  # line 1's own findings, which the file's are sorted among
            out = file_level + out
            file_level = []
        if len(out) > 1:
            out.sort(key=_order)
        yield from out


def _image_diagnostic(run: Run, found: ImageFinding, ctx: LineContext) -> Diagnostic:
    """An image finding on its line: on a line of the older format, at the pic_list entry
    that names the image."""
    finding = found.finding
    if finding.span is None and ctx.format is OLDER_FORMAT:
        for entry in ctx.elements(OLDER_IMAGES):
            if entry.value == found.pic_name:
                span = ctx.span(entry.start, entry.end)
                finding = finding._replace(span=span, key=OLDER_IMAGES)
                break
    return run.diagnostic(found.rule, finding, ctx)


def _checked_in_parallel(run: Run, blocks: Blocks) -> Iterator[list[Diagnostic]] | None:
    """The line rules' diagnostics of each slow line, in order, made by forked workers and
    this process together; None when this process is better off doing them alone."""
    numbers = run.slow_numbers
    path = blocks.path
    workers = fanout.workers(run.config.jobs)
    if path is None or workers == 0 or len(numbers) < PARALLEL_MIN_SLOW_LINES:
        return None
    share = len(numbers) // (TASKS_PER_PROCESS * (workers + 1))
    size = min(MAX_TASK_LINES, max(MIN_TASK_LINES, share))

    def check(task: int) -> list[list[Diagnostic]]:
        # Each task reads through a stream of its own: one inherited across a fork would
        # share its offset with this process's.
        with open(path, "rb") as stream:
            read = blocks.reader(stream)
            by_line = []
            for lineno in numbers[task * size : (task + 1) * size]:
                raw = read(lineno)
                ctx, parsed = run.context(lineno, raw)
                found: list[Diagnostic] = []
                run.check(ctx, raw, parsed, found)
                by_line.append(found)
            return by_line

    tasks = -(-len(numbers) // size)
    done = fanout.in_order(tasks, check, workers, fanout.encode_lines, fanout.decode_lines)
    return (found for task in done for found in task)


def _between(
    run: Run,
    ctx: LineContext,
    partners: Iterable[int],
    kept: dict[int, LineContext],
    earliest: dict[int, dict[bytes, int]],
) -> Iterator[Diagnostic]:
    """The findings between this line and the earlier ones it is paired with."""
    for earlier in sorted(_with_copies(ctx, partners, kept, earliest)):
        for rule in run.plan.between:
            for finding in rule.check(ctx, kept[earlier]):
                yield run.diagnostic(rule, finding, ctx)


def _with_copies(
    ctx: LineContext,
    partners: Iterable[int],
    kept: dict[int, LineContext],
    earliest: dict[int, dict[bytes, int]],
) -> set[int]:
    """The earlier lines to pair this one with: its partners from the index, and the
    earliest line identical to it among the lines paired with the same partner.

    The index remembers one line per image, so of ``v1``, ``v2``, ``v2`` it pairs the last
    line with the first only; the lines paired with the same first line are the candidates
    for a copy of a line that came after that first one.
    """
    chosen = set()
    for first in partners:
        chosen.add(first)
        seen = earliest.setdefault(first, {kept[first].raw: first})
        same = seen.setdefault(ctx.raw, ctx.lineno)
        if same not in (ctx.lineno, first):
            chosen.add(same)
    return chosen


def _order(d: Diagnostic) -> tuple[Span, str]:
    return d.span, d.code


def _keep_until(pairs: set[tuple[int, int]]) -> dict[int, int]:
    """Every line of a pair, and the last line whose findings need its context: the last
    line paired with the same earlier line, since a copy is looked for among those."""
    last: dict[int, int] = {}
    for later, earlier in pairs:
        last[earlier] = max(last.get(earlier, 0), later)
    keep = dict(last)
    for later, earlier in pairs:
        keep[later] = max(keep.get(later, later), last[earlier])
    return keep


def _merged(*ascending: Collection[int]) -> Iterator[int]:
    """The numbers of several ascending sequences, each without repeats, ascending, each
    once. A manifest with a mistake on every line has just one, taken as it is."""
    present = [numbers for numbers in ascending if numbers]
    if len(present) == 1:
        yield from present[0]
        return
    previous = 0
    for n in heapq.merge(*present):
        if n != previous:
            yield n
            previous = n
