"""Numbered tasks shared between this process and forked workers, their results taken in order.

Made for the end-of-file pass over a manifest with a mistake on most lines, where nearly all
the time goes to running the line rules on one line after another, each line on its own: work
that other cores can share, while this process keeps what only it can do (the findings between
lines and about images, and writing the report as the findings stream).

The workers are forked, so they start with everything this process knew (the slow lines, the
plan, the blocks' offsets) and each task is sent as its number alone; a result comes back as
pickled bytes. This process never waits idle: while the next result in order is still being
made, it does a task from the end of the queue itself. A task is given to a worker only when
it has fewer than ``WINDOW`` unread results, and this process holds at most ``AHEAD`` of its
own, so the results in memory at any moment are a few tasks' worth, whatever the file's size.

A worker whose task raises, or that dies, costs nothing but time: this process does the task
itself (a rule that raises then raises here, as it would in one process).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from metalint.diagnostics import Diagnostic, Fix, Related, Span, TextEdit

R = TypeVar("R")

WINDOW = 2
"""Tasks a worker holds at most: one being done and one waiting, so that it never idles
between two."""
AHEAD = 2
"""Tasks this process holds done at most, ahead of the results it is waiting for."""
_OK = b"\x00"
_FAILED = b"\x01"


def _same(result: Any) -> Any:
    return result


def workers(jobs: int | None) -> int:
    """How many workers to fork beside this process for ``jobs`` processes in all (None: one
    per core), at most one per core; none where forking is unsafe: off Linux, or with other
    threads running (a lock one of them held at the fork would stay locked in the child)."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 0
    cores = os.cpu_count() or 1
    return max(0, min(jobs or cores, cores) - 1)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    tasks: deque[int] = field(default_factory=deque)
    """Tasks sent and not yet answered, in the order sent (and answered)."""
    alive: bool = True


def in_order(
    tasks: int,
    work: Callable[[int], R],
    workers: int,
    encode: Callable[[R], object] = _same,
    decode: Callable[[Any], R] = _same,
) -> Iterator[R]:
    """``work(0)``, ``work(1)``, ... ``work(tasks - 1)``, in order, done by ``workers`` forked
    processes and this one. A worker sends ``encode(work(task))`` pickled, and this process
    takes ``decode`` of it; ``work`` runs in the workers as it would here."""
    pool: list[_Worker] = []
    for _ in range(workers):
        pool.append(_start(lambda task: encode(work(task)), [w.conn for w in pool]))
    try:
        yield from _Schedule(tasks, work, decode, pool)
    finally:
        _stop(pool)


class _Schedule(Generic[R]):
    def __init__(
        self,
        tasks: int,
        work: Callable[[int], R],
        decode: Callable[[Any], R],
        pool: list[_Worker],
    ) -> None:
        self.tasks = tasks
        self.work = work
        self.decode = decode
        self.pool = pool
        self.owner: dict[int, _Worker] = {}
        self.own: dict[int, R] = {}
        self.frontier = 0
        """The first task not yet given to anyone."""

    def __iter__(self) -> Iterator[R]:
        for task in range(self.tasks):
            self._top_up()
            if task in self.own:
                yield self.own.pop(task)
                continue
            worker = self.owner.pop(task, None)
            if worker is None:  # every worker full or gone: the next task is this process's
                self.frontier += 1
                yield self.work(task)
                continue
            self._work_while_waiting(worker)
            answer = _answer(worker, task)
            yield self.work(task) if answer is None else self.decode(pickle.loads(answer))

    def _top_up(self) -> None:
        for worker in self.pool:
            while worker.alive and len(worker.tasks) < WINDOW and self.frontier < self.tasks:
                try:
                    worker.conn.send_bytes(self.frontier.to_bytes(8, "little"))
                except OSError:
                    worker.alive = False
                    break
                worker.tasks.append(self.frontier)
                self.owner[self.frontier] = worker
                self.frontier += 1

    def _work_while_waiting(self, worker: _Worker) -> None:
        while (
            worker.alive
            and len(self.own) < AHEAD
            and self.frontier < self.tasks
            and not worker.conn.poll()
        ):
            self.own[self.frontier] = self.work(self.frontier)
            self.frontier += 1


def _answer(worker: _Worker, task: int) -> bytes | None:
    """The worker's result for ``task``, or None when this process must do it itself."""
    if not worker.alive:
        return None
    assert worker.tasks[0] == task
    try:
        message = worker.conn.recv_bytes()
    except (EOFError, OSError):
        worker.alive = False
        return None
    worker.tasks.popleft()
    return message[1:] if message[:1] == _OK else None


def _start(work: Callable[[int], object], earlier: list[Connection]) -> _Worker:
    """Fork a worker; ``earlier`` are this process's ends of the pipes to the workers forked
    before."""
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()
    inherited = [*earlier, mine]
    process = context.Process(target=_serve, args=(theirs, work, inherited), daemon=True)
    process.start()
    theirs.close()
    return _Worker(process, mine)


def _serve(conn: Connection, work: Callable[[int], object], inherited: list[Connection]) -> None:
    """A worker's life: do each task it is sent until this process hangs up. It leaves with
    ``os._exit``: what it inherited (buffered output, exit handlers) belongs to this process.
    It first closes its copies of this process's ends of the pipes (its own and the earlier
    workers'), so that each worker sees the end as soon as this process closes its end."""
    for other in inherited:
        other.close()
    try:
        while True:
            task = int.from_bytes(conn.recv_bytes(), "little")
            try:
                message = _OK + pickle.dumps(work(task), pickle.HIGHEST_PROTOCOL)
            except Exception:
                message = _FAILED
            conn.send_bytes(message)
    except (EOFError, OSError):
        pass
    finally:
        os._exit(0)


def _stop(pool: list[_Worker]) -> None:
    for worker in pool:
        worker.conn.close()  # a worker waiting for a task sees the end; a busy one, a broken pipe
    for worker in pool:
        worker.process.join(timeout=1)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join()


# -- line diagnostics on the wire --------------------------------------------------------------
# Named tuples pickle through a Python call each way (``__getnewargs__``, ``__new__``); plain
# tuples pickle in C. Sent as plain tuples and rebuilt with ``tuple.__new__``, a diagnostic
# costs a third of the time to send and a little less to take in (measured on bench/broken.py's
# findings, about 15 + 7 µs against 5 + 5 µs).

_new = tuple.__new__


def encode_lines(lines: list[list[Diagnostic]]) -> list[list[tuple[Any, ...]]]:
    """Each line's diagnostics as plain tuples."""
    out = []
    for found in lines:
        row = []
        for code, name, severity, message, path, span, key, fix, related in found:
            plain_fix = None
            if fix is not None:
                plain_fix = (fix.description, [(*e.span, e.new_text) for e in fix.edits])
            plain_related = [(r.path, *r.span, r.message) for r in related] if related else ()
            row.append(
                (code, name, severity, message, path, (*span,), key, plain_fix, plain_related)
            )
        out.append(row)
    return out


def decode_lines(lines: list[list[tuple[Any, ...]]]) -> list[list[Diagnostic]]:
    """What ``encode_lines`` made, as diagnostics again."""
    out = []
    for row in lines:
        found = []
        for code, name, severity, message, path, span, key, fix, related in row:
            if fix is not None:
                edits = tuple([_new(TextEdit, (_new(Span, e[:4]), e[4])) for e in fix[1]])
                fix = _new(Fix, (fix[0], edits))
            if related:
                related = tuple([_new(Related, (r[0], _new(Span, r[1:5]), r[5])) for r in related])
            span = _new(Span, span)
            found.append(
                _new(Diagnostic, (code, name, severity, message, path, span, key, fix, related))
            )
        out.append(found)
    return out
