"""The image stage: takes the engine's references one by one, checks each distinct image once,
in worker processes when there are enough uncached images to pay for them."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import NamedTuple

from metalint.config import Config
from metalint.images.cache import ContentCache, default_cache_dir
from metalint.images.lookup import FileKey, Locator, Observation
from metalint.images.model import Content, ImageFacts, ImageRef, Lookup
from metalint.images.reader import read_files
from metalint.registry import Finding, Rule

BATCH = 64
"""Images per task sent to a worker."""
POOL_MIN = 512
"""Uncached images below which reading them in this process beats starting workers."""
DEEP_BATCH = 4
DEEP_POOL_MIN = 8
"""The same for the deep check, where decoding an image costs milliseconds, not microseconds."""


class ImageFinding(NamedTuple):
    """What an image rule found for the image of one line."""

    line: int
    rule: Rule
    finding: Finding
    pic_name: str
    """The image's name as the line gives it."""

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def target(self) -> str | None:
        return self.finding.key


@dataclass(slots=True)
class StageStats:
    """What a run did, for tests and benchmarks: how many images were located, read, cached."""

    located: int = 0
    read: int = 0
    """Images whose header was read, here or by a worker."""
    by_workers: int = 0
    cached: int = 0


class ImageStage:
    def __init__(
        self,
        manifest_dir: pathlib.Path,
        config: Config,
        rules: Sequence[Rule],
        progress: Callable[[int, int], None] | None = None,
        *,
        record: bool = False,
    ) -> None:
        """``rules`` are the image rules to run (the plan's, which the stage does not make:
        planning needs the rule catalogue, and the catalogue needs the image model). With
        ``record``, the stage keeps what its findings depended on: see ``dependencies``."""
        self._profile = config.profile
        self._progress = progress
        self._jobs = max(1, config.jobs or os.cpu_count() or 1)
        self._rules = list(rules)
        self._deep = config.deep_images
        self._batch, self._pool_min = (
            (DEEP_BATCH, DEEP_POOL_MIN) if self._deep else (BATCH, POOL_MIN)
        )
        # When no enabled rule needs an image's header, no image is opened.
        self._wants_content = any(r.reads_image for r in self._rules)
        self._locator = Locator(str(config.images_root or manifest_dir), record=record)
        # A missing image's finding says where it was looked for, the folder as it was named.
        if config.images_root is not None:
            self._looked_in = f"looked under the image root {config.images_root}"
        elif str(manifest_dir) == ".":
            self._looked_in = "looked in the current folder"
        else:
            self._looked_in = f"looked in {manifest_dir}"
        self._unsure = False
        self._cache = (
            ContentCache(config.cache_dir or default_cache_dir()) if config.use_cache else None
        )
        self._facts: dict[str, ImageFacts] = {}
        """What is known of each distinct PicName seen so far."""
        self._waiting: dict[str, tuple[ImageFacts, list[ImageRef]]] = {}
        """PicNames whose header is being read: what the lookup found, and the lines waiting."""
        self._queue: list[tuple[str, FileKey]] = []
        self._in_flight: deque[tuple[list[tuple[str, FileKey]], Future[list[Content | str]]]]
        self._in_flight = deque()
        self._pool: Executor | None = None
        self._pool_tried = False
        self._unread = 0
        self._findings: list[ImageFinding] = []
        self.stats = StageStats()

    def add(self, ref: ImageRef) -> None:
        facts = self._facts.get(ref.pic_name)
        if facts is not None:
            self._evaluate(facts, ref)
            return
        waiting = self._waiting.get(ref.pic_name)
        if waiting is not None:
            waiting[1].append(ref)
            return
        self._locate(ref)

    def finish(self) -> Iterable[ImageFinding]:
        try:
            self._flush(final=True)
            while self._in_flight:
                self._collect_oldest()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
            if self._cache is not None:
                self._cache.save()
        self._report_progress()
        self._findings.sort(key=lambda f: (f.line, f.rule.code, f.finding.key or ""))
        return self._findings

    @property
    def root(self) -> str:
        """The real path of the folder PicNames are looked up in."""
        return self._locator.root

    def dependencies(self) -> list[Observation] | None:
        """Every ``lstat``, ``stat`` and ``realpath`` the lookups made and what each gave (a
        folder whose listing was read appears as the ``stat`` of the folder, taken first), for
        a stage made with ``record`` once ``finish`` has run: the findings hold as long as each
        of these gives the same again and the images' contents (whose size, mtime, inode and
        ctime are in the ``lstat``, or the target's ``stat`` for a link) are unchanged. None
        when an answer came from an error that may be passing (an image that could not be read,
        a folder that could not be listed): such findings are not to be kept."""
        if self._unsure or self._locator.unsure:
            return None
        return self._locator.observations()

    def _locate(self, ref: ImageRef) -> None:
        self.stats.located += 1
        facts, key = self._locator.locate(ref.pic_name)
        if facts.lookup is Lookup.MISSING and not facts.detail:
            facts = ImageFacts(Lookup.MISSING, self._looked_in)
        if key is None or not self._wants_content:
            self._settle(ref.pic_name, facts, [ref])
            return
        content = self._cache.get(key) if self._cache is not None else None
        if content is not None and content.decoded != self._deep:
            # An entry without the deep check's outcome cannot answer for it; one with the
            # outcome answers a run without it once the outcome is left out, so that what a
            # run reports never depends on what ran before.
            content = replace(content, decoded=False, undecodable=None) if content.decoded else None
        if content is not None:
            self.stats.cached += 1
            facts = ImageFacts(facts.lookup, facts.detail, facts.real_name, facts.size, content)
            self._settle(ref.pic_name, facts, [ref])
            return
        self._waiting[ref.pic_name] = (facts, [ref])
        self._queue.append((ref.pic_name, key))
        self._unread += 1
        if len(self._queue) >= self._batch:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        """Send the queued images to the workers, or read them here when there are none; until
        POOL_MIN images need reading, keep them queued to see whether workers would pay off."""
        if self._pool is None and not self._pool_tried and self._unread >= self._pool_min:
            self._pool_tried = True
            self._pool = _start_pool(self._jobs) if self._jobs > 1 else None
        if self._pool is not None:
            self._submit(self._pool)
        elif final or self._pool_tried or self._jobs == 1:
            self._read_here(self._queue)
            self._queue = []

    def _submit(self, pool: Executor) -> None:
        for start in range(0, len(self._queue), self._batch):
            batch = self._queue[start : start + self._batch]
            try:
                future = pool.submit(read_files, [key.path for _, key in batch], self._deep)
            except Exception:
                future = Future()
                future.set_exception(RuntimeError("the worker pool is broken"))
            self._in_flight.append((batch, future))
        self._queue = []
        while len(self._in_flight) > 4 * self._jobs:
            self._collect_oldest()
        while self._in_flight and self._in_flight[0][1].done():
            self._collect_oldest()

    def _collect_oldest(self) -> None:
        batch, future = self._in_flight.popleft()
        try:
            results = future.result()
            self.stats.by_workers += len(batch)
        except Exception:
            # A worker died (killed, out of memory): read its share here rather than lose it.
            results = read_files([key.path for _, key in batch], self._deep)
        self._settle_batch(batch, results)

    def _read_here(self, batch: list[tuple[str, FileKey]]) -> None:
        if batch:
            self._settle_batch(batch, read_files([key.path for _, key in batch], self._deep))

    def _settle_batch(self, batch: list[tuple[str, FileKey]], results: list[Content | str]) -> None:
        self.stats.read += len(batch)
        for (pic_name, key), result in zip(batch, results, strict=True):
            base, refs = self._waiting.pop(pic_name)
            if isinstance(result, str):
                self._unsure = True
                facts = ImageFacts(Lookup.UNREADABLE, result, base.real_name, base.size)
            else:
                facts = ImageFacts(base.lookup, base.detail, base.real_name, base.size, result)
                if self._cache is not None:
                    self._cache.put(key, result)
            self._settle(pic_name, facts, refs)
        self._report_progress()

    def _settle(self, pic_name: str, facts: ImageFacts, refs: list[ImageRef]) -> None:
        self._facts[pic_name] = facts
        for ref in refs:
            self._evaluate(facts, ref)

    def _evaluate(self, facts: ImageFacts, ref: ImageRef) -> None:
        for rule in self._rules:
            for finding in rule.check(facts, ref, self._profile):
                self._findings.append(ImageFinding(ref.line, rule, finding, ref.pic_name))

    def _report_progress(self) -> None:
        if self._progress is not None:
            self._progress(len(self._facts), len(self._facts) + len(self._waiting))


def _start_pool(jobs: int) -> Executor | None:
    """Worker processes started by fork, which costs milliseconds where spawn and forkserver
    cost a new interpreter and re-import the main module (impossible from standard input).
    Forking a process that runs other threads (an editor's language server) is unsafe, and
    platforms without fork have none: there the images are read in this process."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        return None
