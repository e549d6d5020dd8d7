"""Throughput of `metalint --no-images` when every line is wrong, and the time of very wide lines.

    python bench/broken.py [--lines 300000] [--rounds 3]
    python bench/broken.py --wide [--rounds 3]

Builds (once, under bench/.data/broken/) a manifest of seed-like ADD lines, as in throughput.py,
where every line has one systematic mistake, in turn: a numeric ProductId, `"OperationType":
"add"`, a string CategoryId, no CustomContent, a PicName with a leading slash. ProductIds and
PicNames are all distinct, so each line draws exactly one finding and no line relates to
another (checked on a sample before timing). Then times whole processes, interleaved round by
round so that a noisy machine slows all sides alike, and keeps each side's best round:

- baseline: a Python process that only `orjson.loads` every line of the file;
- `metalint --no-cache --no-images --format json FILE`;
- `metalint --no-cache --no-images --format text FILE`, its output not a terminal;

stdout goes to /dev/null, and metalint must exit with status 1 (errors found). Each metalint
run is reported with its ratio to the baseline and its time beyond the baseline per flagged
line.

With --wide, times instead the same two metalint commands on one-line manifests whose line
holds 10,000 or 20,000 keys (OperationType, ProductId, PicName, CustomContent, then "k0": 0,
"k1": 1, ...), each key past the fourth a warning (exit status 0); the target is well under a
second for the whole process.

With --fix, times instead `metalint --fix --format text` on a fresh copy of the manifest (made
before each round, outside the timing) beside the plain text lint of the same file, round by
round, and checks once that the fixed copy draws only the findings no fix can mend (the missing
CustomContent of every fifth line); the target is within 3x of the lint.

Peak memory is the largest resident set of any process of the run (from wait4). "CPU" is the
user and system time of the process and the workers it forked (least of the rounds): it
moves less than the wall time on a busy machine, and "CPU µs/line" divides it by the lines.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from throughput import BASELINE, metalint_command, pic_name, run, run_with_cpu, write_once

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "broken"
SAMPLE = 100
WIDE = (10_000, 20_000)

# name: (argv, the exit status it must end with)
Commands = dict[str, tuple[list[str], int]]

CONTENT = ',"CustomContent": "k1:v1,k2:v2,https://example.com/imagesearch/girl_cloth{i}.jpg"'
MISTAKES = (
    '"OperationType": "ADD","ProductId": {i},"PicName": "{pic}"' + CONTENT,
    '"OperationType": "add","ProductId": "{i}","PicName": "{pic}"' + CONTENT,
    '"OperationType": "ADD","ProductId": "{i}","PicName": "{pic}","CategoryId": "3"' + CONTENT,
    '"OperationType": "ADD","ProductId": "{i}","PicName": "{pic}"',
    '"OperationType": "ADD","ProductId": "{i}","PicName": "/{pic}"' + CONTENT,
)


def broken_line(i: int) -> str:
    body = MISTAKES[i % len(MISTAKES)].format(i=i, pic=pic_name(i))
    return "{" + body + "}"


def wide_line(keys: int) -> str:
    head = '{"OperationType":"ADD","ProductId":"1","PicName":"a.jpg","CustomContent":""'
    return head + "".join(f',"k{k}":{k}' for k in range(keys - 4)) + "}"


def check_sample(lint: list[str]) -> None:
    """Exit unless each line of a sample draws exactly one finding, an error on that line."""
    sample = Path(tempfile.mkdtemp()) / "increment.meta"
    write_once(sample, (broken_line(i) for i in range(SAMPLE)))
    out = subprocess.run([*lint, "--format", "json", str(sample)], capture_output=True, check=False)
    found = json.loads(out.stdout)
    lines = sorted(d["line"] for d in found if d["severity"] == "error")
    if out.returncode != 1 or len(found) != SAMPLE or lines != list(range(1, SAMPLE + 1)):
        sys.exit(f"the sample does not draw one error per line: {out.returncode}, {found[:3]}")


def best_of(rounds: int, commands: Commands) -> dict[str, tuple[float, float, float]]:
    """Best time, largest peak RSS and least CPU time of each command, run in turn in each
    round."""
    best: dict[str, tuple[float, float, float]] = {}
    for _ in range(rounds):
        for name, (argv, status) in commands.items():
            elapsed, rss, cpu = run_with_cpu(argv, expect=(status,))
            earlier_time, earlier_rss, earlier_cpu = best.get(name, (elapsed, rss, cpu))
            best[name] = (min(elapsed, earlier_time), max(rss, earlier_rss), min(cpu, earlier_cpu))
    return best


def broken(lint: list[str], lines: int, rounds: int) -> None:
    manifest = write_once(DATA / f"{lines}" / "increment.meta", map(broken_line, range(lines)))
    size = manifest.stat().st_size / 1e6
    check_sample(lint)
    commands = {
        "baseline": ([sys.executable, "-c", BASELINE, str(manifest)], 0),
        "metalint json": ([*lint, "--format", "json", str(manifest)], 1),
        "metalint text": ([*lint, "--format", "text", str(manifest)], 1),
    }
    best = best_of(rounds, commands)

    base = best["baseline"][0]
    print(f"manifest: {lines:,} lines, every one flagged, {size:.0f} MB; best of {rounds} rounds")
    print(
        f"{'run':<16}{'time':>9}{'vs baseline':>14}{'peak RSS':>11}{'µs/flagged line':>18}"
        f"{'CPU':>9}{'CPU µs/line':>13}"
    )
    for name, (elapsed, rss, cpu) in best.items():
        beyond = "" if name == "baseline" else f"{(elapsed - base) / lines * 1e6:>18.2f}"
        per_line = "" if name == "baseline" else f"{cpu / lines * 1e6:>13.1f}"
        print(
            f"{name:<16}{elapsed:>8.2f}s{elapsed / base:>13.2f}x{rss:>9.0f}MB{beyond:>18}"
            f"{cpu:>8.2f}s{per_line}"
        )


def fix(lint: list[str], lines: int, rounds: int) -> None:
    manifest = write_once(DATA / f"{lines}" / "increment.meta", map(broken_line, range(lines)))
    copy = DATA / "fix" / "increment.meta"
    copy.parent.mkdir(parents=True, exist_ok=True)
    commands: Commands = {
        "baseline": ([sys.executable, "-c", BASELINE, str(manifest)], 0),
        "metalint text": ([*lint, "--format", "text", str(manifest)], 1),
        # What no fix mends, the missing CustomContent of every fifth line, is left: status 1.
        "metalint --fix": ([*lint, "--fix", "--format", "text", str(copy)], 1),
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(rounds):
        for name, (argv, status) in commands.items():
            if name == "metalint --fix":
                shutil.copyfile(manifest, copy)
            elapsed, rss = run(argv, expect=(status,))
            earlier_time, earlier_rss = best.get(name, (elapsed, rss))
            best[name] = (min(elapsed, earlier_time), max(rss, earlier_rss))
    left = subprocess.run([*lint, "--format", "json", str(copy)], capture_output=True, check=False)
    codes = {d["code"] for d in json.loads(left.stdout)}
    if codes != {"ML101"} or len(json.loads(left.stdout)) != len(range(3, lines, 5)):
        sys.exit(f"the fixed manifest does not draw only the unfixable findings: {codes}")

    base, lint_time = best["baseline"][0], best["metalint text"][0]
    print(f"manifest: {lines:,} lines, every one flagged; best of {rounds} rounds")
    print(f"{'run':<16}{'time':>9}{'vs baseline':>14}{'vs lint':>10}{'peak RSS':>11}")
    for name, (elapsed, rss) in best.items():
        print(
            f"{name:<16}{elapsed:>8.2f}s{elapsed / base:>13.2f}x"
            f"{elapsed / lint_time:>9.2f}x{rss:>9.0f}MB"
        )


def wide(lint: list[str], rounds: int) -> None:
    commands: Commands = {}
    for keys in WIDE:
        manifest = write_once(DATA / f"wide-{keys}" / "increment.meta", [wide_line(keys)])
        for fmt in ("json", "text"):
            commands[f"{keys:,} keys {fmt}"] = ([*lint, "--format", fmt, str(manifest)], 0)
    best = best_of(rounds, commands)

    print(f"one-line manifests, whole process; best of {rounds} rounds")
    print(f"{'run':<18}{'time':>9}{'peak RSS':>11}")
    for name, (elapsed, rss, _) in best.items():
        print(f"{name:<18}{elapsed:>8.2f}s{rss:>9.0f}MB")
    for fmt in ("json", "text"):
        small, large = (best[f"{keys:,} keys {fmt}"][0] for keys in WIDE)
        print(f"{fmt}: {WIDE[1]:,} keys take {large / small:.1f}x the time of {WIDE[0]:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wide", action="store_true", help="time one-line manifests of many keys")
    parser.add_argument("--fix", action="store_true", help="time --fix beside the lint")
    args = parser.parse_args()

    # --no-cache: a warm result cache would answer without linting at all.
    lint = [*metalint_command(), "--isolated", "--no-cache", "--no-images"]
    if args.wide:
        wide(lint, args.rounds)
    elif args.fix:
        fix(lint, args.lines, args.rounds)
    else:
        broken(lint, args.lines, args.rounds)


if __name__ == "__main__":
    main()
