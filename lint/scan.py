"""The fast path: one pass over every line, in this process or split across several.

Every line is parsed by orjson and checked by the compiled clean schema; a line that passes
cannot draw any finding and only enters the between-line index. Anything else goes to the
slow path (``Run.slow``). This loop is where a million-line manifest spends its time, so it
binds what it calls to locals and does nothing per line that can be skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import IO, TYPE_CHECKING, Any

import orjson

from metalint.config import Config
from metalint.index import KEY_MASK, IndexLog
from metalint.schemacheck import clean_validator

if TYPE_CHECKING:
    from array import array

    from metalint.diagnostics import Diagnostic
    from metalint.engine import Run

NON_STRING_KEYS = frozenset(("CategoryId", "IntAttr", "IntAttr2", "IntAttr3", "IntAttr4", "Crop"))
"""Keys whose values are not strings on a valid line; every other value is a string."""

PARALLEL_MIN_BYTES = 48 * 1024 * 1024
"""Below this a second process costs more than it saves."""
REPLAY_COST = 0.2
"""Replaying a chunk's index log, relative to scanning the chunk (measured with bench/)."""
TASKS_PER_WORKER = 3
_BLOCK = 1 << 20


def scan_lines(lines: Iterable[bytes], run: Run, first_lineno: int = 1) -> int:
    """Run the fast path over ``lines``; returns how many there were."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    is_clean = clean_validator(run.config.service).is_valid
    non_string = NON_STRING_KEYS
    key_mask = KEY_MASK
    line_ends = (b"}\n", b"}")
    index = run.index
    logging = isinstance(index, IndexLog)
    log_extend = index.events.extend if isinstance(index, IndexLog) else None
    adds_setdefault = index.adds.setdefault
    pairs_append = index.pairs.append
    deleted_images = index.deleted_images
    deleted_products = index.deleted_products
    slow = run.slow
    stage_add = None
    image_ref: Any = None
    if run.stage is not None:
        from metalint.images import ImageRef as image_ref

        stage_add = run.stage.add
    lineno = first_lineno - 1
    for lineno, raw in enumerate(lines, first_lineno):
        try:
            obj = loads(raw)
        except decode_error:
            slow(lineno, raw)
            continue
        # The schema's "type": "object" comes first: the checks after it take a dict. Then,
        # without backslashes every quote delimits a key or a string value: on a valid line
        # each key brings 4 quotes and each non-string value's key 2, so any other count
        # means a key repeated (and silently dropped by the parser).
        if (
            not is_clean(obj)
            or not raw.endswith(line_ends)
            or raw.find(b"\\") >= 0
            or 4 * len(obj) - raw.count(b'"')
            != (0 if non_string.isdisjoint(obj) else 2 * len(non_string.intersection(obj)))
        ):
            slow(lineno, raw)
            continue
        box = None
        if "Region" in obj:
            # The schema vouched for the digits and commas; only the order is left to check
            # (a Region too long for plain int() is left to the slow path).
            region = obj["Region"]
            if len(region) > 64:
                slow(lineno, raw)
                continue
            x1, x2, y1, y2 = box = tuple(map(int, region.split(",")))
            if x1 >= x2 or y1 >= y2:
                slow(lineno, raw)
                continue
        pid = obj["ProductId"]
        if obj["OperationType"] == "ADD":
            pic = obj["PicName"]
            key = hash((pid, pic)) & key_mask  # index.image_key, inlined
            if logging:
                log_extend((lineno << 2, key, hash(pid) & key_mask))  # type: ignore[misc]
            else:
                first = adds_setdefault(key, lineno)
                if first != lineno:
                    pairs_append((lineno, first))
                # LineIndex.add_after_deletes, unrolled: in a file that mixes ADDs with a few
                # DELETEs it would run on nearly every line.
                if deleted_images:
                    earlier = deleted_images.get(key)
                    if earlier is not None:
                        pairs_append((lineno, earlier))
                if deleted_products:
                    earlier = deleted_products.get(hash(pid) & key_mask)
                    if earlier is not None:
                        pairs_append((lineno, earlier))
            if stage_add is not None:
                stage_add(image_ref(lineno, pic, box))
        else:
            index.record(lineno, "DELETE", pid, obj.get("PicName"))
    return lineno - first_lineno + 1


@dataclass(frozen=True, slots=True)
class ChunkResult:
    lines: int
    diagnostics: list[Diagnostic]
    events: array[int]
    slow_lines: int
    slow_operations: int


def _lines_between(stream: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The lines from byte ``start`` to byte ``end``, both at line starts, read in blocks."""
    stream.seek(start)
    at = start
    while at < end:
        # readlines stops once it has read *more* than its hint: one byte short of the end
        # stops it exactly at the end, which is a line start.
        hint = min(_BLOCK, end - at) - 1
        block = stream.readlines(hint) if hint > 0 else [stream.readline()]
        if not block or not block[0]:
            return
        yield from block
        at = stream.tell()


def _scan_chunk(path: str, config: Config, start: int, end: int) -> ChunkResult:
    """Scan one chunk in a worker process. Line numbers count from the chunk's first line:
    only the parent knows how many lines came before, once it has scanned them."""
    from metalint.engine import Run

    with open(path, "rb") as stream:
        log = IndexLog()
        run = Run(path, config, None, log)
        lines = scan_lines(_lines_between(stream, start, end), run)
    return ChunkResult(lines, run.diagnostics, log.events, run.slow_lines, run.slow_operations)


def _boundaries(stream: IO[bytes], size: int, workers: int) -> list[int]:
    """Byte offsets, at line starts, of the parent's piece and then of the workers' tasks.

    The parent scans the first piece and then replays each task's index log, which costs it
    about a fifth of scanning the task; its piece is sized so that it is done with both when
    the workers are done with their tasks. The workers' share is cut into several tasks so
    that the parent replays one while the workers scan the next, and only the last replay is
    left when the workers finish.
    """
    share = 1 / workers
    # With many workers, replaying their logs is all the parent has time for.
    head = max(0.0, size * (share - REPLAY_COST) / (1 - REPLAY_COST + share))
    tasks = workers * TASKS_PER_WORKER
    cuts = [0]
    for i in range(tasks):
        stream.seek(int(head + (size - head) * i / tasks))
        stream.readline()
        cuts.append(max(stream.tell(), cuts[-1]))
    cuts.append(size)
    return [cut for i, cut in enumerate(cuts) if i == 0 or cut > cuts[i - 1]]


def _parts(config: Config, size: int, path: str | None) -> int:
    if path is None or size < PARALLEL_MIN_BYTES or not sys.platform.startswith("linux"):
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(config.jobs or cores, cores, size // (PARALLEL_MIN_BYTES // 2)))


def scan_stream(stream: IO[bytes], run: Run, path: str | None) -> int:
    """Scan a whole manifest; a large file on disk is split across processes (the index and
    the findings come out exactly as from one process)."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    parts = 1 if run.stage is not None else _parts(run.config, size, path)
    if parts == 1:
        return scan_lines(stream, run)
    assert path is not None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    cuts = _boundaries(stream, size, parts - 1)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=parts - 1, mp_context=context) as pool:
        futures = [
            pool.submit(_scan_chunk, path, run.config, start, end)
            for start, end in pairwise(cuts[1:])
        ]
        lines = scan_lines(_lines_between(stream, 0, cuts[1]), run)
        for future in futures:
            chunk = future.result()
            run.absorb(chunk, lines)
            lines += chunk.lines
    return lines
