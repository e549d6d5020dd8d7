"""``metalint migrate``: the older format rewritten in place or shown as a diff that applies."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, Invoke

OLDER = [
    '{"operator":"ADD","item_id":1000,"cat_id":88888888,"cust_content":"this is product 1000",'
    '"pic_list":["001.jpg","002.jpg"]}',
    '{"operator":"DELETE","item_id":"1005"}',
]
MIGRATED = [
    '{"OperationType": "ADD", "ProductId": "1000", "PicName": "001.jpg", "CategoryId": 88888888, '
    '"CustomContent": "this is product 1000"}',
    '{"OperationType": "ADD", "ProductId": "1000", "PicName": "002.jpg", "CategoryId": 88888888, '
    '"CustomContent": "this is product 1000"}',
    '{"OperationType": "DELETE", "ProductId": "1005"}',
]
MIXED = '{"operator": "ADD", "ProductId": "1", "pic_list": ["a.jpg"]}'


def test_migrate_rewrites_the_file_and_a_second_run_changes_nothing(
    invoke: Invoke, manifest: Callable[..., Path]
) -> None:
    path = manifest(*OLDER)
    result = invoke("migrate", str(path.parent))
    assert result.exit_code == 0, result.output
    assert "migrated 2 lines of the older format into 3 in 1 file" in result.output
    assert path.read_text().splitlines() == MIGRATED
    again = invoke("migrate", str(path))
    assert (again.exit_code, again.output) == (0, "")
    assert path.read_text().splitlines() == MIGRATED
    assert invoke("--no-images", str(path)).exit_code == 0


def test_the_diff_applies_and_gives_what_migrate_writes(
    invoke: Invoke, manifest: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = manifest(*OLDER, CLEAN_LINE)
    copy = tmp_path / "copy"
    shutil.copytree(path.parent, copy / "bucket")
    monkeypatch.chdir(tmp_path)
    result = invoke("migrate", "--diff", str(path.relative_to(tmp_path)))
    assert result.exit_code == 0, result.output
    assert path.read_text().splitlines() == [*OLDER, CLEAN_LINE]  # --diff writes nothing
    (tmp_path / "migrate.patch").write_text(result.stdout)
    subprocess.run(
        ["git", "apply", str(tmp_path / "migrate.patch")], cwd=copy, check=True, capture_output=True
    )
    invoke("migrate", str(path))
    assert (copy / "bucket" / "increment.meta").read_bytes() == path.read_bytes()


def test_a_line_left_as_it_is_is_reported_and_fails(
    invoke: Invoke, manifest: Callable[..., Path]
) -> None:
    path = manifest(OLDER[1], MIXED)
    result = invoke("migrate", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: left as it is: the line mixes the two formats" in result.output
    assert path.read_text().splitlines() == [MIGRATED[2], MIXED]


def test_a_current_file_is_left_alone(invoke: Invoke, manifest: Callable[..., Path]) -> None:
    path = manifest(CLEAN_LINE)
    before = path.stat()
    result = invoke("migrate", str(path))
    assert (result.exit_code, result.output) == (0, "")
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_usage_errors(invoke: Invoke, tmp_path: Path) -> None:
    missing = invoke("migrate", str(tmp_path / "nothere"))
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.output
    assert invoke("migrate").exit_code == 2


def test_excluded_manifests_are_left_out_as_linting_leaves_them(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "metalint.toml").write_text('exclude = ["legacy"]\n')
    for folder in ("shop", "legacy/2019"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "increment.meta").write_text("\n".join(OLDER) + "\n")
    kept = tmp_path / "legacy" / "2019" / "increment.meta"
    result = invoke("migrate", str(tmp_path), str(kept))
    assert result.exit_code == 0, result.output
    assert "in 1 file" in result.output
    assert (tmp_path / "shop" / "increment.meta").read_text().splitlines() == MIGRATED
    assert kept.read_text().splitlines() == OLDER
    # --isolated reads no configuration, so nothing is excluded.
    assert invoke("migrate", "--isolated", str(kept)).exit_code == 0
    assert kept.read_text().splitlines() == MIGRATED


def test_a_broken_configuration_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "metalint.toml").write_text("exclude = [\n")
    (tmp_path / "increment.meta").write_text("\n".join(OLDER) + "\n")
    result = invoke("migrate", str(tmp_path))
    assert result.exit_code == 2
    assert "metalint.toml" in result.output
    assert (tmp_path / "increment.meta").read_text().splitlines() == OLDER
