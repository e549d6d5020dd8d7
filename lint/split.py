"""A large manifest scanned by several processes, with results identical to one process.

The parent scans the first piece of the file while worker processes scan the rest in tasks;
each task's index events come back as an ordered log that the parent replays into its own
index, and its findings are moved down by the lines that came before it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from itertools import pairwise
from typing import IO, TYPE_CHECKING

from metalint.config import Config
from metalint.index import IndexLog
from metalint.manifest import FormatTally
from metalint.run import Run
from metalint.scan import Blocks, scan

if TYPE_CHECKING:
    from array import array

PARALLEL_MIN_BYTES = 48 * 1024 * 1024
"""Below this a second process costs more than it saves."""
SLOW_PARALLEL_MIN_BYTES = 8 * 1024 * 1024
"""The same for a file whose first lines mostly go to the slow path, as a broken generator
writes them: the scan then costs about half as much again per line (measured with
bench/broken.py), and the line checks after it wait for the whole scan."""
SAMPLE_BYTES = 64 * 1024
"""How much of the file's start tells whether most lines go to the slow path."""
REPLAY_COST = 0.2
"""Replaying a chunk's index log, relative to scanning the chunk (measured with bench/)."""
TASKS_PER_WORKER = 3


@dataclass(frozen=True, slots=True)
class ChunkResult:
    lines: int
    slow_numbers: array[int]
    events: array[int]
    slow_operations: int
    formats: FormatTally
    block_starts: list[tuple[int, int]]


def _scan_chunk(path: str, config: Config, start: int, end: int) -> ChunkResult:
    """Scan one chunk in a worker process. Line numbers count from the chunk's first line:
    only the parent knows how many lines came before, once it has scanned them."""
    with open(path, "rb") as stream:
        log = IndexLog()
        run = Run(path, config, None, log)
        blocks = Blocks(stream, start, end)
        lines = scan(blocks.lines(), run, run.plan.line.is_clean, run.plan.line.guards)
    return ChunkResult(
        lines, run.slow_numbers, log.events, run.slow_operations, run.formats, blocks.starts
    )


def boundaries(stream: IO[bytes], size: int, workers: int) -> list[int]:
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


def parts(config: Config, size: int, path: str | None, mostly_slow: bool = False) -> int:
    least = SLOW_PARALLEL_MIN_BYTES if mostly_slow else PARALLEL_MIN_BYTES
    if path is None or size < least or not sys.platform.startswith("linux"):
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(config.jobs or cores, cores, size // (least // 2)))


def mostly_slow(stream: IO[bytes], run: Run) -> bool:
    """Whether most of the lines that start the file go to the slow path."""
    stream.seek(0)
    sample = stream.readlines(SAMPLE_BYTES)
    stream.seek(0)
    probe = Run(run.path, run.config, None, IndexLog())
    scan([sample], probe, run.plan.line.is_clean, run.plan.line.guards)
    return 2 * probe.slow_lines > len(sample)


def scan_manifest(stream: IO[bytes], run: Run, path: str | None) -> tuple[int, Blocks]:
    """Scan a whole manifest: the number of lines, and the blocks to read lines again from.
    A large file on disk is split across processes (the index and the findings come out
    exactly as from one process)."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    is_clean, guards = run.plan.line.is_clean, run.plan.line.guards
    count = 1
    if run.images is None:
        slow = PARALLEL_MIN_BYTES > size >= SLOW_PARALLEL_MIN_BYTES and mostly_slow(stream, run)
        count = parts(run.config, size, path, slow)
    if count == 1:
        blocks = Blocks(stream, path=path)
        return scan(blocks.lines(), run, is_clean, guards), blocks
    assert path is not None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    cuts = boundaries(stream, size, count - 1)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count - 1, mp_context=context) as pool:
        futures = [
            pool.submit(_scan_chunk, path, run.config, start, end)
            for start, end in pairwise(cuts[1:])
        ]
        blocks = Blocks(stream, 0, cuts[1], path)
        lines = scan(blocks.lines(), run, is_clean, guards)
        for future in futures:
            chunk = future.result()
            run.absorb(chunk.slow_numbers, chunk.slow_operations, chunk.formats, lines)
            run.index.replay(chunk.events, lines)
            blocks.starts.extend((first + lines, offset) for first, offset in chunk.block_starts)
            lines += chunk.lines
    return lines, blocks
