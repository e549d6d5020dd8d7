"""The line rules of many slow lines shared with forked workers: results in order, the same as
one process's, and a worker's failure costing nothing but time."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from metalint import endpass, fanout, run, split
from metalint.config import Config
from metalint.diagnostics import Diagnostic, Fix, Related, Severity, Span, TextEdit
from metalint.engine import lint_bytes, lint_file

from .test_engine import add, delete, render

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)

PARENT = os.getpid()


def square(task: int) -> tuple[int, int, int]:
    time.sleep(0.002)
    return task, task * task, os.getpid()


def slow_here(task: int) -> tuple[int, int, int]:
    """A task that takes this process ten times as long as a worker, so that on a busy
    machine too a worker gets to one before this process has done them all."""
    if os.getpid() == PARENT:
        time.sleep(0.02)
    return square(task)


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("tasks", [0, 1, 2, 7, 100])
def test_results_come_in_order(workers: int, tasks: int) -> None:
    done = list(fanout.in_order(tasks, slow_here if tasks == 100 else square, workers))
    assert [(t, s) for t, s, _ in done] == [(t, t * t) for t in range(tasks)]
    if tasks == 100:
        assert {pid for *_, pid in done} - {PARENT}, "no task was done by a worker"
    assert not multiprocessing.active_children()


def test_a_worker_that_cannot_keep_up_leaves_its_tasks_here() -> None:
    def work(task: int) -> tuple[int, int, int]:
        if os.getpid() != PARENT:
            time.sleep(0.5)
        return square(task)

    started = time.monotonic()
    done = list(fanout.in_order(60, work, 1))
    assert [(t, s) for t, s, _ in done] == [(t, t * t) for t in range(60)]
    # The worker finished one task at most before this process had done the rest.
    assert sum(pid != PARENT for *_, pid in done) <= 1
    assert time.monotonic() - started < 5


def failing_in_workers(bad: Callable[[int], bool]) -> Callable[[int], tuple[int, int, int]]:
    def work(task: int) -> tuple[int, int, int]:
        if os.getpid() != PARENT and bad(task):
            raise RuntimeError(f"task {task}")
        return square(task)

    return work


def test_a_task_that_raises_in_a_worker_is_done_here() -> None:
    done = list(fanout.in_order(30, failing_in_workers(lambda task: task % 3 == 0), 2))
    assert [t for t, _, _ in done] == list(range(30))
    assert all(pid == PARENT for t, _, pid in done if t % 3 == 0)


def test_a_worker_that_dies_leaves_its_tasks_here() -> None:
    def work(task: int) -> tuple[int, int, int]:
        if os.getpid() != PARENT and task >= 4:
            os._exit(3)
        return square(task)

    done = list(fanout.in_order(40, work, 2))
    assert [(t, s) for t, s, _ in done] == [(t, t * t) for t in range(40)]
    assert all(pid == PARENT for t, _, pid in done if t >= 4)
    assert not multiprocessing.active_children()


def test_an_error_everywhere_surfaces_here() -> None:
    def work(task: int) -> int:
        if task == 17:
            raise ValueError("task 17")
        return task

    with pytest.raises(ValueError, match="task 17"):
        list(fanout.in_order(40, work, 2))
    assert not multiprocessing.active_children()


def test_stopping_early_stops_the_workers() -> None:
    results = fanout.in_order(100, square, 2)
    assert next(results)[0] == 0
    results.close()
    assert not multiprocessing.active_children()


def test_diagnostics_cross_as_they_were() -> None:
    edit = TextEdit(Span(2, 1, 2, 3), "x")
    related = (Related("a/increment.meta", Span(1, 1, 1, 9), "first here"),)
    found = [
        lint_bytes(boundary_manifest(40).encode(), config=Config(check_images=False)),
        [],
        [Diagnostic("ML999", "made-up", Severity.INFO, "m", "p", Span(2, 1, 2, 9), "K")],
        [
            Diagnostic(
                "ML998",
                "two-edits",
                Severity.WARNING,
                "n",
                "p",
                Span(2, 1, 3, 1),
                None,
                Fix("two", (edit, edit._replace(new_text="y"))),
                related,
            )
        ],
    ]
    assert any(d.fix is not None for d in found[0])
    sent = fanout.decode_lines(pickle.loads(pickle.dumps(fanout.encode_lines(found))))
    assert sent == found
    for d in (d for line in sent for d in line):
        assert type(d) is Diagnostic and type(d.span) is Span
        assert d.fix is None or all(type(e.span) is Span for e in d.fix.edits)
        assert all(type(r) is Related and type(r.span) is Span for r in d.related)


# -- the engine -------------------------------------------------------------------------------


@pytest.fixture
def spread(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Small tasks from a few slow lines on, with four cores whatever this machine has; yields
    the number of tasks of each parallel pass."""
    monkeypatch.setattr(endpass, "PARALLEL_MIN_SLOW_LINES", 10)
    monkeypatch.setattr(endpass, "MIN_TASK_LINES", 7)
    monkeypatch.setattr(endpass, "MAX_TASK_LINES", 7)
    monkeypatch.setattr(fanout.os, "cpu_count", lambda: 4)
    passes: list[int] = []
    in_order = fanout.in_order

    def counted(tasks: int, *args: Any) -> Iterator[Any]:
        passes.append(tasks)
        return in_order(tasks, *args)

    monkeypatch.setattr(fanout, "in_order", counted)
    yield passes


def boundary_manifest(lines: int) -> str:
    """Slow lines everywhere (unknown keys, a leading slash, invalid JSON, a wrong type), among
    them duplicates, ADD/DELETE conflicts and copies of lines many tasks apart, and clean lines
    between them."""
    out = []
    for n in range(1, lines + 1):
        kind = n % 11
        if kind == 0:
            out.append(add(f"p{n % 50}", content=f"{n}", extra=', "Colour": "red"'))  # far apart
        elif kind == 1:
            out.append(delete(f"p{(n - 1) % 50}", "a.jpg"))  # conflicts with those ADDs
        elif kind == 2:
            out.append(add(pid=f"q{n}", pic="/a.jpg"))
        elif kind == 3:
            out.append('{"OperationType": "ADD", "ProductId": \n')  # invalid JSON, copied
        elif kind == 4:
            out.append(add(pid=f"r{n % 30}", pic="b.jpg", extra=', "IntAttr": "5"'))
        elif kind == 5:
            out.append(delete(f"r{n % 30}"))  # a whole product added before
        elif kind == 6:
            out.append(add(pid=f"s{n}"))  # clean
        else:
            out.append(add(pid=f"t{n}", extra=f', "K{n % 4}": 1'))
    return "".join(out)


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_parallel_findings_match_one_process(
    jobs: int, ending: str, tmp_path: Path, spread: list[int]
) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_bytes(("\ufeff" + boundary_manifest(700)).replace("\n", ending).encode())
    one = lint_file(manifest, Config(check_images=False, jobs=1, use_cache=False))
    assert not spread
    parallel = lint_file(manifest, Config(check_images=False, jobs=jobs, use_cache=False))
    assert spread and spread[0] > 50
    assert parallel == one
    found = {d.code for d in one}
    assert {"ML003", "ML005", "ML201", "ML202", "ML203"} <= found
    # Pairs that span many tasks: the tasks are 7 slow lines long.
    assert any(d.span.line - r.span.line > 100 for d in one for r in d.related)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parallel_findings_on_random_collisions(
    seed: int, tmp_path: Path, spread: list[int]
) -> None:
    rnd = random.Random(seed)
    ops = [
        (
            rnd.choice(["ADD", "ADD", "ADD", "DELETE", "DELETE-product"]),
            rnd.choice("123456") if rnd.random() < 0.3 else str(rnd.randrange(300)),
            rnd.choice(["a.jpg", "b.jpg"]),
            rnd.choice(["", "v"]),
            rnd.choice(["plain", "compact", "slow", "slow"]),
        )
        for _ in range(600)
    ]
    text = "".join(render(*op) for op in ops)
    manifest = tmp_path / "increment.meta"
    manifest.write_bytes(text.rstrip("\n").encode())  # the last line without its newline
    parallel = lint_file(manifest, Config(check_images=False, jobs=2, use_cache=False))
    assert spread
    assert parallel == lint_file(manifest, Config(check_images=False, jobs=1, use_cache=False))


def test_parallel_findings_after_a_parallel_scan(
    tmp_path: Path, spread: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(split.os, "cpu_count", lambda: 2)
    manifest = tmp_path / "increment.meta"
    manifest.write_text(boundary_manifest(1500))
    parallel = Config(check_images=False, jobs=2, use_cache=False)
    assert split.parts(parallel, manifest.stat().st_size, str(manifest)) == 2
    found = lint_file(manifest, parallel)
    assert spread
    assert found == lint_file(manifest, Config(check_images=False, jobs=1, use_cache=False))


def test_few_slow_lines_stay_in_one_process(tmp_path: Path, spread: list[int]) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(boundary_manifest(12))
    lint_file(manifest, Config(check_images=False, jobs=2, use_cache=False))
    assert not spread


def test_a_rule_failing_in_a_worker_is_run_here(
    tmp_path: Path, spread: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(boundary_manifest(400))
    one = lint_file(manifest, Config(check_images=False, jobs=1, use_cache=False))
    check = run.Run.check

    def flaky(self: run.Run, *args: Any) -> bool:
        if os.getpid() != PARENT:
            raise MemoryError("in a worker")
        return check(self, *args)

    monkeypatch.setattr(run.Run, "check", flaky)
    assert lint_file(manifest, Config(check_images=False, jobs=2, use_cache=False)) == one
    assert spread
    assert not multiprocessing.active_children()


def test_a_rule_failing_everywhere_surfaces(
    tmp_path: Path, spread: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(boundary_manifest(400))
    check = run.Run.check

    def broken(self: run.Run, ctx: Any, *args: Any) -> bool:
        if ctx.lineno == 333:
            raise ZeroDivisionError("line 333")
        return check(self, ctx, *args)

    monkeypatch.setattr(run.Run, "check", broken)
    with pytest.raises(ZeroDivisionError, match="line 333"):
        lint_file(manifest, Config(check_images=False, jobs=2, use_cache=False))
    assert spread
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("first_line_slow", [True, False])
@pytest.mark.parametrize("jobs", [1, 2])
def test_unpaired_slow_lines_follow_the_file_s_findings(
    first_line_slow: bool, jobs: int, tmp_path: Path, spread: list[int]
) -> None:
    # No line pairs with another and images are not checked: the end pass takes the slow
    # lines' findings alone, and must still put the file's first, or among line 1's.
    clean_first = add(pid="c", pic="c.jpg")
    lines = [
        add(pid=f"p{n}", pic=f"/a{n}.jpg") if n > 1 or first_line_slow else clean_first
        for n in range(1, 60)
    ]
    manifest = tmp_path / "Increment.meta"  # the name draws a finding about the file
    manifest.write_text("".join(lines))
    config = Config(check_images=False, jobs=jobs, use_cache=False)
    found = lint_file(manifest, config)
    assert bool(spread) == (jobs > 1)
    about_file = [d for d in found if d.code == "ML001"]
    assert about_file
    checker = run.Run(str(manifest), config)
    own = [checker.lint_line(n, line.encode()).diagnostics for n, line in enumerate(lines, 1)]
    assert all(own[1:]) and bool(own[0]) == first_line_slow
    first = sorted(about_file + own[0], key=lambda d: (d.span, d.code))
    expected = first + [d for line in own[1:] for d in sorted(line, key=lambda d: (d.span, d.code))]
    assert found == expected
