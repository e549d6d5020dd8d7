"""Throughput and start-up of `metalint --no-images`, against baselines measured in the same run.

    python bench/throughput.py [--lines 1000000] [--rounds 3] [--conflicts]

Builds (once, under bench/.data/) a manifest of seed-like lines with one broken line in a
thousand, then times whole processes, interleaved round by round so that a noisy machine slows
both sides alike, and keeps each side's best round:

- baseline: a Python process that only `orjson.loads` every line of the file;
- metalint: `metalint --no-cache --no-images --format json FILE` (exit status 1: the file has
  mistakes), with the default jobs and with `--jobs 1`;
- reference: the plain python-jsonschema loop (`json.loads` + `Draft202012Validator.is_valid`
  on the line schema), timed on the first 50,000 lines and scaled to the whole file, as the
  full loop takes about a minute per million lines;
- start-up: `metalint --no-images` on a 10-line manifest against `python -c pass`;
- with --conflicts, also metalint (default jobs) on the same manifest where every 24th line is
  an ADD and the next a DELETE of the same image: 41,667 ADD/DELETE conflicts (ML202) in a
  million lines, against the clean case and the baseline.

Peak memory is the largest resident set of any process of the run (from wait4).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "throughput"
SAMPLE = 50_000

BASELINE = """
import sys, orjson
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
"""

REFERENCE = """
import itertools, json, sys
from jsonschema import Draft202012Validator
from metalint.schema import line_schema
validator = Draft202012Validator(line_schema())
with open(sys.argv[1], "rb") as f:
    for line in itertools.islice(f, int(sys.argv[2])):
        try:
            validator.is_valid(json.loads(line))
        except ValueError:
            pass
"""

BROKEN = (
    '{"OperationType": "add","ProductId": "%d","PicName": "x%d.jpg","CustomContent": ""}',
    '{"OperationType": "ADD","ProductId": %d,"PicName": "y%d.jpg","CustomContent": ""}',
    '{"OperationType": "ADD","ProductId": "%d","PicName": "/z%d.jpg","CustomContent": ""}',
)


def pic_name(i: int) -> str:
    return f"cat{i % 50:02}/girl_cloth{i}.jpg"


def add_line(i: int, rnd: random.Random) -> str:
    extra = ""
    kind = rnd.randrange(4)
    if kind == 0:
        category = rnd.choice((0, 1, 2, 3, 9, 20))
        attr, text = rnd.randrange(10_000), rnd.randrange(100)
        extra = f',"CategoryId": {category},"IntAttr": {attr},"StrAttr": "value{text}"'
    elif kind == 1:
        x1, y1 = rnd.randrange(200), rnd.randrange(200)
        extra = f',"Region": "{x1},{x1 + 100},{y1},{y1 + 100}"'
    elif kind == 2:
        extra = ',"Crop": false'
    return (
        f'{{"OperationType": "ADD","ProductId": "{i // 3}","PicName": "{pic_name(i)}"{extra},'
        f'"CustomContent": "k1:v1,k2:v2,https://example.com/imagesearch/girl_cloth{i}.jpg"}}'
    )


def manifest_line(i: int, rnd: random.Random) -> str:
    if i % 1000 == 999:
        return BROKEN[(i // 1000) % len(BROKEN)] % (i, i)
    if i % 97 == 0:
        return f'{{"OperationType": "DELETE","ProductId": "d{i // 3}","PicName": "old/{i}.jpg"}}'
    return add_line(i, rnd)


def conflict_line(i: int, rnd: random.Random) -> str:
    """manifest_line, except that every 24th line is an ADD and the next one deletes its image."""
    if i % 24 == 0:
        return add_line(i, rnd)
    if i % 24 == 1:
        return (
            f'{{"OperationType": "DELETE","ProductId": "{(i - 1) // 3}",'
            f'"PicName": "{pic_name(i - 1)}"}}'
        )
    return manifest_line(i, rnd)


def write_once(path: Path, lines: Iterable[str]) -> Path:
    """Write the lines to path, unless an earlier run already did."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
    os.replace(tmp, path)
    return path


def build(lines: int, conflicts: bool = False) -> Path:
    make, name = (conflict_line, f"{lines}-conflicts") if conflicts else (manifest_line, f"{lines}")
    rnd = random.Random(20261124)
    return write_once(DATA / name / "increment.meta", (make(i, rnd) for i in range(lines)))


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Without it the children keep compiled modules, as an installed metalint has them; with it,
every start compiles every module again (about 150 ms here)."""


def run(
    argv: list[str], stdout: int | None = subprocess.DEVNULL, expect: tuple[int, ...] = (0, 1)
) -> tuple[float, float]:
    """Wall time in seconds and peak RSS in MB of one whole process (and its children)."""
    elapsed, rss, _ = run_with_cpu(argv, stdout, expect)
    return elapsed, rss


def run_with_cpu(
    argv: list[str], stdout: int | None = subprocess.DEVNULL, expect: tuple[int, ...] = (0, 1)
) -> tuple[float, float, float]:
    """``run``, and the CPU seconds (user and system) of the process and the children it
    waited for."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        sys.exit(f"{argv[:3]} exited with {code}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def metalint_command() -> list[str]:
    found = shutil.which("metalint", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "metalint"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--conflicts", action="store_true", help="also time a manifest of ADD/DELETE conflicts"
    )
    args = parser.parse_args()

    manifest = build(args.lines)
    size = manifest.stat().st_size / 1e6
    metalint = metalint_command()
    py = sys.executable
    small = Path(tempfile.mkdtemp()) / "increment.meta"
    small.write_text(
        "\n".join(manifest_line(i, random.Random(i)) for i in range(10)) + "\n", encoding="utf-8"
    )
    sample = min(SAMPLE, args.lines)

    # --no-cache: a warm result cache would answer without linting at all.
    lint = [*metalint, "--isolated", "--no-cache", "--no-images", "--format", "json"]
    commands = {
        "baseline": [py, "-c", BASELINE, str(manifest)],
        "metalint": [*lint, str(manifest)],
        "metalint -j1": [*lint, "-j", "1", str(manifest)],
        "reference": [py, "-c", REFERENCE, str(manifest), str(sample)],
        "python -c pass": [py, "-c", "pass"],
        "metalint 10 lines": [*metalint, "--isolated", "--no-cache", "--no-images", str(small)],
    }
    if args.conflicts:
        commands["metalint conflicts"] = [*lint, str(build(args.lines, conflicts=True))]
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):
        for name, argv in commands.items():
            elapsed, rss = run(argv)
            earlier_time, earlier_rss = best.get(name, (elapsed, rss))
            best[name] = (min(elapsed, earlier_time), max(rss, earlier_rss))
    reference = best["reference"][0] * args.lines / sample

    base = best["baseline"][0]
    print(f"manifest: {args.lines:,} lines, {size:.0f} MB; best of {args.rounds} rounds")
    print(f"{'run':<22}{'time':>10}{'vs baseline':>14}{'peak RSS':>12}")
    for name in ("baseline", "metalint", "metalint -j1"):
        elapsed, rss = best[name]
        print(f"{name:<22}{elapsed:>9.2f}s{elapsed / base:>13.2f}x{rss:>10.0f}MB")
    print(
        f"{'reference (scaled)':<22}{reference:>9.1f}s{reference / base:>13.1f}x"
        f"   (from {sample:,} lines)"
    )
    print(f"metalint is {reference / best['metalint'][0]:.0f}x faster than the reference loop")
    empty, tiny = best["python -c pass"][0], best["metalint 10 lines"][0]
    print(
        f"start-up: metalint on 10 lines {tiny * 1000:.0f} ms, "
        f"python -c pass {empty * 1000:.0f} ms ({tiny / empty:.1f}x)"
    )
    if args.conflicts:
        elapsed, rss = best["metalint conflicts"]
        print(
            f"{'metalint conflicts':<22}{elapsed:>9.2f}s{elapsed / base:>13.2f}x{rss:>10.0f}MB"
            f"   ({elapsed / best['metalint'][0]:.2f}x the clean case;"
            f" ADD/DELETE pairs: {(args.lines + 22) // 24:,})"
        )


if __name__ == "__main__":
    main()
