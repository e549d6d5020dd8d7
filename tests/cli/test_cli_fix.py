"""--fix, --unsafe-fixes and --diff, through the command line and with git and patch."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import CLEAN_LINE, Invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.engine import lint_bytes
from metalint.fixfile import FileChanged, fix_data, fix_file, unified_diff

CONFIG = Config(check_images=False, use_cache=False)
BROKEN = [
    '{"OperationType": "add", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}',
    '{"OperationType": "ADD", "ProductId": 2, "PicName": "/b.jpg", "CustomContent": "x"}',
    '{"OperationType": "DELETE", "ProductID": "3"}',  # the rename is unsafe
    CLEAN_LINE.replace('"1"', '"4"'),
    CLEAN_LINE.replace('"1"', '"4"'),
]
FIXED = [
    '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}',
    '{"OperationType": "ADD", "ProductId": "2", "PicName": "b.jpg", "CustomContent": "x"}',
    '{"OperationType": "DELETE", "ProductID": "3"}',
    CLEAN_LINE.replace('"1"', '"4"'),
]


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "increment.meta"
    path.write_bytes(("\n".join(BROKEN) + "\n").encode())
    os.chmod(path, 0o640)
    return path


def run(invoke: Invoke, *args: str) -> tuple[int, str, str]:
    result = invoke("--no-images", "--isolated", *args, ".")
    return result.exit_code, result.stdout, result.stderr


def test_fix_writes_the_safe_fixes_and_reports_what_is_left(invoke: Invoke, manifest: Path) -> None:
    code, out, err = run(invoke, "--fix")
    assert manifest.read_text().splitlines() == FIXED
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o640
    assert "fixed 4 findings in 1 file" in err
    # What is left: the unknown key and the missing one it stands for, and the unsafe fix.
    assert code == 1
    assert "ML109" in out and "0 fixable with --fix (1 more with --unsafe-fixes)" in out
    again = manifest.read_bytes()
    run(invoke, "--fix")
    assert manifest.read_bytes() == again


def test_unsafe_fixes(invoke: Invoke, manifest: Path) -> None:
    code, _, _ = run(invoke, "--fix", "--unsafe-fixes")
    assert manifest.read_text().splitlines()[2] == '{"OperationType": "DELETE", "ProductId": "3"}'
    assert code == 0


def test_exit_non_zero_on_fix(invoke: Invoke, manifest: Path) -> None:
    assert run(invoke, "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")[0] == 1
    assert run(invoke, "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")[0] == 0


def test_fix_refuses_standard_input(invoke: Invoke) -> None:
    result = invoke("--fix", "-", stdin=b"{}\n")
    assert result.exit_code == 2
    assert "not standard input" in result.stderr


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_the_diff_applied_gives_what_fix_writes(
    invoke: Invoke, manifest: Path, tmp_path: Path, tool: str
) -> None:
    code, diff, _ = run(invoke, "--diff")
    assert code == 1
    assert manifest.read_text().splitlines() == BROKEN  # --diff writes nothing
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(manifest, copy / "increment.meta")
    (tmp_path / "fixes.patch").write_text(diff)
    command = (
        ["git", "apply", str(tmp_path / "fixes.patch")]
        if tool == "git"
        else ["patch", "-p1", "-i", str(tmp_path / "fixes.patch")]
    )
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    run(invoke, "--fix")
    assert (copy / "increment.meta").read_bytes() == manifest.read_bytes()
    assert run(invoke, "--diff")[:2] == (0, "")


def test_a_manifest_changed_while_it_is_fixed_is_left_alone(
    manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import metalint.fixfile as fixfile

    original = fixfile.apply_fixes_streaming

    def another_writer_meanwhile(*args: Any, **kwargs: Any) -> tuple[int, bool]:
        result = original(*args, **kwargs)
        manifest.write_text(CLEAN_LINE + "\n")
        return result

    monkeypatch.setattr(fixfile, "apply_fixes_streaming", another_writer_meanwhile)
    with pytest.raises(FileChanged):
        fix_file(manifest, CONFIG)
    assert manifest.read_text() == CLEAN_LINE + "\n"
    assert [p.name for p in manifest.parent.iterdir()] == [manifest.name]  # no file left behind


MANIFEST_LINES = st.lists(
    st.sampled_from(
        [
            *BROKEN,
            "",
            "  " + CLEAN_LINE,
            CLEAN_LINE + " ",
            CLEAN_LINE + "," + CLEAN_LINE.replace('"1"', '"7"'),
            '{"OperationType": "ADD", "ProductId": "8", "PicName": "c.jpg", "CustomContent": "",'
            ' "CategoryId": "3", "Crop": "false"}',
            "\ufeff" + CLEAN_LINE.replace('"1"', '"9"'),
        ]
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MANIFEST_LINES, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fixing_settles_and_keeps_untouched_lines(
    lines: list[str], ending: str, last_newline: bool
) -> None:
    data = (ending.join(lines) + (ending if last_newline else "")).encode()
    fixed = fix_data(data, "increment.meta", CONFIG)
    assert [d for d in lint_bytes(fixed.data, config=CONFIG) if d.fix and d.fix.safe] == []
    assert fix_data(fixed.data, "increment.meta", CONFIG).applied == 0
    # A line no finding touches, and that no other line copies, comes through as it was and
    # in its place among the others.
    found = {d.span.line for d in lint_bytes(data, config=CONFIG)}
    kept = [
        line
        for no, line in enumerate(data.split(b"\n"), start=1)
        if no not in found and line and data.split(b"\n").count(line) == 1
    ]
    out = fixed.data.split(b"\n")
    positions = [out.index(line) for line in kept]
    assert positions == sorted(positions)
    diff = unified_diff("increment.meta", data, fixed.data)
    assert (diff == b"") == (fixed.data == data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MANIFEST_LINES, st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_a_file_is_fixed_as_its_bytes_are(
    lines: list[str], ending: str, last_newline: bool, unsafe: bool
) -> None:
    # Through temporary files beside it, round after round, as in memory; nothing left over.
    data = (ending.join(lines) + (ending if last_newline else "")).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "increment.meta"
        path.write_bytes(data)
        os.chmod(path, 0o604)
        expected = fix_data(data, str(path), CONFIG, unsafe=unsafe)
        assert fix_file(path, CONFIG, unsafe=unsafe) == expected.applied
        assert path.read_bytes() == expected.data
        assert stat.S_IMODE(path.stat().st_mode) == 0o604
        assert os.listdir(folder) == ["increment.meta"]


def test_a_clean_manifest_in_a_folder_that_cannot_be_written_needs_no_fix(
    tmp_path: Path,
) -> None:
    path = tmp_path / "increment.meta"
    path.write_text(CLEAN_LINE + "\n")
    tmp_path.chmod(0o555)
    before = tmp_path.stat().st_mtime_ns
    try:
        assert fix_file(path, CONFIG) == 0
    finally:
        tmp_path.chmod(0o755)
    assert tmp_path.stat().st_mtime_ns == before  # not even a file made and taken back


@pytest.mark.slow
def test_a_fix_killed_at_any_moment_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    import random
    import signal
    import sys
    import time

    lines = [BROKEN[i % 2].replace('"1"', f'"{i}"').replace(" 2,", f" {i},") for i in range(4_000)]
    old = ("\n".join(lines) + "\n").encode()
    done = tmp_path / "done"
    done.mkdir()
    (done / "increment.meta").write_bytes(old)
    command = [sys.executable, "-m", "metalint", "--fix", "--no-images", "--isolated", "-q"]
    started = time.monotonic()
    subprocess.run([*command, "."], cwd=done, capture_output=True, check=False)
    whole = time.monotonic() - started
    new = (done / "increment.meta").read_bytes()
    assert new != old
    rnd = random.Random(7)
    for attempt in range(5):
        work = tmp_path / f"try{attempt}"
        work.mkdir()
        (work / "increment.meta").write_bytes(old)
        process = subprocess.Popen(
            [*command, "."], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rnd.uniform(0, whole))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (work / "increment.meta").read_bytes() in (old, new)
        leftovers = [p.name for p in work.iterdir() if p.name != "increment.meta"]
        # A temporary file may stay behind a kill; it never takes the manifest's name.
        assert all(name.startswith(".increment.meta-") for name in leftovers)


@pytest.mark.slow
def test_a_fix_terminated_leaves_no_file_behind(tmp_path: Path) -> None:
    # SIGTERM, as a CI job's time limit sends it, ends the run as an exit: the temporary file
    # of the round in progress goes with it, and the manifest is the old one or the new.
    import signal
    import sys
    import time

    lines = [BROKEN[i % 2].replace('"1"', f'"{i}"').replace(" 2,", f" {i},") for i in range(30_000)]
    old = ("\n".join(lines) + "\n").encode()
    command = [sys.executable, "-m", "metalint", "--fix", "--no-images", "--isolated", "-q", "."]
    timed = tmp_path / "timed"
    timed.mkdir()
    (timed / "increment.meta").write_bytes(old)
    started = time.monotonic()
    subprocess.run(command, cwd=timed, capture_output=True, check=False)
    whole = time.monotonic() - started
    new = (timed / "increment.meta").read_bytes()
    statuses = []
    for attempt, share in enumerate((0.5, 0.6, 0.7, 0.8)):
        work = tmp_path / f"try{attempt}"
        work.mkdir()
        (work / "increment.meta").write_bytes(old)
        process = subprocess.Popen(
            command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(share * whole)
        process.send_signal(signal.SIGTERM)
        statuses.append(process.wait())
        assert (work / "increment.meta").read_bytes() in (old, new)
        assert [p.name for p in work.iterdir()] == ["increment.meta"]
    assert 128 + signal.SIGTERM in statuses  # at least one was stopped in the middle
