"""Numbered tasks shared between this process and forked workers, their results taken in order.

Made for the end-of-file pass over a manifest with a mistake on most lines, where nearly all
the time goes to running the line rules on one line after another, each line on its own: work
that other cores can share, while this process keeps what only it can do (the findings between
lines and about images, and writing the report as the findings stream).

The workers are forked, so they start with everything this process knew (the slow lines, the
plan, the blocks' offsets) and each task is sent as its number alone; a result comes back as
pickled bytes. This process never waits idle while there is work: when the next result in
order is not ready, it takes that task back if its worker has not started it (a worker slowed
by a busy machine then costs little), or else does a task from the end of the queue itself. A
worker holds at most ``WINDOW`` tasks and this process at most ``AHEAD`` results of its own,
so the results in memory at any moment are a few tasks' worth, whatever the file's size.

A worker whose task raises, or that dies, costs nothing but time: this process does the task
itself (a rule that raises then raises here, as it would in one process).
"""

from __future__ import annotations

import mmap
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

from metalint.diagnostics import Diagnostic, Fix, Related, Span, TextEdit, new_record

R = TypeVar("R")

WINDOW = 3
"""Tasks a worker holds at most, done or not: it has the next one at hand while this process
finishes a task of its own before it reads the last result."""
AHEAD = 4
"""Results of its own this process holds at most, ahead of the one it is waiting for."""
_OK, _FAILED, _SKIPPED = b"\x00", b"\x01", b"\x02"


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


class _Claims:
    """Who has started which task, in memory shared with the workers: a byte a task that only
    the workers write (started) and one that only this process writes (taken back).

    Each side sets its own byte and then reads the other's, so at least one of them sees the
    other, and the worst a race does is make both do the task or neither skip it: this process
    ignores a result for a task it took back, and does a task itself when its worker skipped
    it. No lock is needed, and no answer depends on the timing."""

    def __init__(self, tasks: int) -> None:
        self._map = mmap.mmap(-1, 2 * max(tasks, 1))  # shared with the children it is forked to
        self._tasks = tasks

    def start(self, task: int) -> bool:
        """In a worker: whether to do ``task`` (this process has not taken it back)."""
        self._map[task] = 1
        return not self._map[self._tasks + task]

    def take_back(self, task: int) -> bool:
        """Here: whether ``task`` is this process's now (its worker has not started it)."""
        if self._map[task]:
            return False
        self._map[self._tasks + task] = 1
        return not self._map[task]

    def close(self) -> None:
        self._map.close()


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    tasks: deque[int] = field(default_factory=deque)
    """Tasks sent and not yet answered, in the order sent (and answered)."""
    taken_back: set[int] = field(default_factory=set)
    """Tasks among those that this process does itself; their answers are dropped."""
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
    claims = _Claims(tasks)
    pool: list[_Worker] = []
    try:
        for _ in range(workers):
            job = _Job(lambda task: encode(work(task)), claims, [w.conn for w in pool])
            pool.append(job.start())
        yield from _Schedule(tasks, work, decode, pool, claims)
    finally:
        _stop(pool)
        claims.close()


class _Schedule(Generic[R]):
    def __init__(
        self,
        tasks: int,
        work: Callable[[int], R],
        decode: Callable[[Any], R],
        pool: list[_Worker],
        claims: _Claims,
    ) -> None:
        self.tasks = tasks
        self.work = work
        self.decode = decode
        self.pool = pool
        self.claims = claims
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
            result = self._result(task, worker)
            if self.frontier == self.tasks and worker.taken_back.issuperset(worker.tasks):
                # Nothing left for it: let it exit while this process finishes.
                worker.conn.close()
                worker.alive = False
            yield result

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

    def _result(self, task: int, worker: _Worker) -> R:
        """The result of a task given to ``worker``; this process works while it waits."""
        while worker.alive:
            if worker.conn.poll():
                answered, message = _answer(worker)
                if answered in worker.taken_back:
                    worker.taken_back.discard(answered)
                    continue
                if answered == task and message[:1] == _OK:
                    return self.decode(pickle.loads(message[1:]))
                break  # it failed, skipped the task or died: do it here
            if self.claims.take_back(task):
                worker.taken_back.add(task)
                break
            if len(self.own) >= AHEAD:
                # The worker is far behind: do its task too, and drop its answer.
                worker.taken_back.add(task)
                break
            ahead = self._unstarted()
            if ahead is None:
                worker.conn.poll(None)
            else:
                self.own[ahead] = self.work(ahead)
        return self.work(task)

    def _unstarted(self) -> int | None:
        """A later task for this process to do now: the first not given to anyone, or else
        one that a worker holds and has not started."""
        if self.frontier < self.tasks:
            self.frontier += 1
            return self.frontier - 1
        for worker in self.pool:
            for task in worker.tasks:
                if task in self.owner and self.claims.take_back(task):
                    worker.taken_back.add(task)
                    del self.owner[task]
                    return task
        return None


def _answer(worker: _Worker) -> tuple[int, bytes]:
    """The worker's next answer, and the task it answers (-1 when the worker has died)."""
    try:
        message = worker.conn.recv_bytes()
    except (EOFError, OSError):
        worker.alive = False
        return -1, _FAILED
    return worker.tasks.popleft(), message


@dataclass(frozen=True)
class _Job:
    """What a worker is forked with."""

    work: Callable[[int], object]
    claims: _Claims
    earlier: list[Connection]
    """This process's ends of the pipes to the workers forked before."""

    def start(self) -> _Worker:
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe()
        process = context.Process(target=self.serve, args=(theirs, [*self.earlier, mine]))
        process.daemon = True
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def serve(self, conn: Connection, inherited: list[Connection]) -> None:
        """A worker's life: do each task it is sent until this process hangs up. It leaves
        with ``os._exit``: what it inherited (buffered output, exit handlers) belongs to this
        process. It first closes its copies of this process's ends of the pipes (its own and
        the earlier workers'), so that each worker sees the end when this process closes its
        end."""
        for other in inherited:
            other.close()
        try:
            while True:
                task = int.from_bytes(conn.recv_bytes(), "little")
                if not self.claims.start(task):
                    conn.send_bytes(_SKIPPED)
                    continue
                try:
                    message = _OK + pickle.dumps(self.work(task), pickle.HIGHEST_PROTOCOL)
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
# tuples pickle in C. Sent as plain tuples and rebuilt with ``new_record``, a diagnostic
# costs a third of the time to send and a little less to take in (measured on bench/broken.py's
# findings, about 15 + 7 µs against 5 + 5 µs).


def encode_lines(lines: list[list[Diagnostic]]) -> list[list[tuple[Any, ...]]]:
    """Each line's diagnostics as plain tuples."""
    out = []
    for found in lines:
        row = []
        for code, name, severity, message, path, span, key, fix, related in found:
            plain_fix = None
            if fix is not None:
                plain_fix = (fix.description, [(*e.span, e.new_text) for e in fix.edits], fix.safe)
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
                edits = tuple(
                    [new_record(TextEdit, (new_record(Span, e[:4]), e[4])) for e in fix[1]]
                )
                fix = new_record(Fix, (fix[0], edits, fix[2]))
            if related:
                related = tuple(
                    [new_record(Related, (r[0], new_record(Span, r[1:5]), r[5])) for r in related]
                )
            span = new_record(Span, span)
            found.append(
                new_record(
                    Diagnostic, (code, name, severity, message, path, span, key, fix, related)
                )
            )
        out.append(found)
    return out
