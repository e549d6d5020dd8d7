"""--write-baseline and --baseline: adopting the gate on manifests that already have findings."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, ERROR_LINE, Invoke

# Three findings: ML102 (lower-case operation), ML103 (numeric ProductId), ML101 (no CustomContent).
OLD = [
    ERROR_LINE,
    CLEAN_LINE.replace('"1"', "1"),
    '{"OperationType": "ADD", "ProductId": "5", "PicName": "e.jpg"}',
]


def lint(invoke: Invoke, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = invoke("--no-images", "--isolated", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout or "[]"), result.stderr


@pytest.fixture
def adopted(
    invoke: Invoke, manifest: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """A manifest with three findings and the baseline that records them."""
    monkeypatch.chdir(tmp_path)
    path = manifest(*OLD)
    baseline = tmp_path / "metalint-baseline.json"
    code, found, err = lint(invoke, "--write-baseline", str(baseline), "bucket")
    assert (code, found) == (0, [])
    assert "recorded 3 findings in" in err
    return path, baseline


def test_a_baseline_leaves_out_what_it_records(invoke: Invoke, adopted: tuple[Path, Path]) -> None:
    _, baseline = adopted
    code, found, err = lint(invoke, "--baseline", str(baseline), "bucket")
    assert (code, found, err) == (0, [], "")
    text = invoke("--no-images", "--isolated", "--baseline", str(baseline), "bucket")
    assert "All clear: 1 file checked (3 findings of the baseline left out)" in text.stdout


def test_recorded_findings_stay_recorded_when_lines_move_and_new_ones_are_reported(
    invoke: Invoke, adopted: tuple[Path, Path]
) -> None:
    path, baseline = adopted
    new_line = CLEAN_LINE.replace('"1"', '"9"').replace('"a.jpg"', '"/n.jpg"')
    lines = [CLEAN_LINE.replace('"1"', '"7"'), OLD[2], new_line, OLD[0], OLD[1]]
    path.write_text("".join(line + "\n" for line in lines))
    code, found, err = lint(invoke, "--baseline", str(baseline), "bucket")
    assert [(d["code"], d["line"]) for d in found] == [("ML121", 3)]
    assert code == 1 and err == ""


def test_a_finding_whose_line_changed_is_new_and_the_recorded_one_is_stale(
    invoke: Invoke, adopted: tuple[Path, Path]
) -> None:
    path, baseline = adopted
    changed = OLD[0].replace('"b.jpg"', '"changed.jpg"')
    path.write_text("".join(line + "\n" for line in (changed, OLD[1])))
    code, found, err = lint(invoke, "--baseline", str(baseline), "bucket")
    assert [(d["code"], d["line"]) for d in found] == [("ML102", 1)]
    assert code == 1
    # The old ML102 (its line changed) and ML101 (its line is gone) match nothing any more.
    assert "2 findings of the baseline" in err and "were not found" in err
    assert "bucket/increment.meta ML101, bucket/increment.meta ML102" in err
    assert f"--write-baseline {baseline}" in err


def test_each_recorded_finding_matches_once(
    invoke: Invoke, manifest: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = '{"OperationType": "ADD", "ProductId": "5", "PicName": "e.jpg"}'
    path = manifest(missing, CLEAN_LINE)
    baseline = tmp_path / "b.json"
    lint(invoke, "--write-baseline", str(baseline), "bucket")
    # The same line a second time: its ML101 is a second finding of the same content, which the
    # baseline does not hold (ML201, the duplicate line, is new too).
    path.write_text("".join(line + "\n" for line in (missing, CLEAN_LINE, missing)))
    _, found, _ = lint(invoke, "--baseline", str(baseline), "bucket")
    assert sorted((d["code"], d["line"]) for d in found if d["code"] == "ML101") == [("ML101", 3)]


def test_paths_are_relative_to_the_baseline_so_it_holds_from_any_folder(
    invoke: Invoke, adopted: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, baseline = adopted
    recorded = json.loads(baseline.read_text())
    assert recorded["metalint-baseline"] == 1
    assert list(recorded["findings"]) == ["bucket/increment.meta"]
    assert sorted(recorded["findings"]["bucket/increment.meta"]) == ["ML101", "ML102", "ML103"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, found, _ = lint(invoke, "--baseline", "../metalint-baseline.json", str(path))
    assert (code, found) == (0, [])


def test_writing_a_baseline_keeps_its_permissions_and_is_stable(
    invoke: Invoke, adopted: tuple[Path, Path]
) -> None:
    _, baseline = adopted
    os.chmod(baseline, 0o600)
    before = baseline.read_bytes()
    lint(invoke, "--write-baseline", str(baseline), "bucket")
    assert baseline.read_bytes() == before
    assert baseline.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"metalint-baseline": 1,\n  "findings": [}', ":2:16: not a metalint baseline"),
        ('{"findings": {}}', 'no "metalint-baseline" version'),
        ('{"metalint-baseline": 7, "findings": {}}', "version 7; this metalint reads version 1"),
        ('{"metalint-baseline": 1, "findings": {"a": {"ML101": [1]}}}', "not a list of fingerp"),
    ],
)
def test_a_baseline_that_is_not_one_is_a_usage_error(
    invoke: Invoke, adopted: tuple[Path, Path], content: str, message: str
) -> None:
    _, baseline = adopted
    baseline.write_text(content)
    code, found, err = lint(invoke, "--baseline", str(baseline), "bucket")
    assert code == 2 and found == []
    assert message in err and str(baseline) in err


def test_a_missing_baseline_and_both_flags_are_usage_errors(
    invoke: Invoke, adopted: tuple[Path, Path]
) -> None:
    _, baseline = adopted
    code, _, err = lint(invoke, "--baseline", "nothere.json", "bucket")
    assert code == 2 and "cannot read the baseline nothere.json" in err
    code, _, err = lint(invoke, "--baseline", str(baseline), "--write-baseline", "x.json", ".")
    assert code == 2 and "takes no --baseline" in err
