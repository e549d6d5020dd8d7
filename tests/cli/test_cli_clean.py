"""``metalint clean``: the caches go, and nothing else in their folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, Invoke
from PIL import Image


@pytest.fixture
def bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A manifest and its image, old enough for its lint result to be kept."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("METALINT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "bucket"
    folder.mkdir()
    Image.new("RGB", (300, 300)).save(folder / "a.jpg")
    manifest = folder / "increment.meta"
    manifest.write_text(CLEAN_LINE + "\n")
    for path in (manifest, folder / "a.jpg"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    return folder


def test_clean_removes_the_image_facts_and_the_results_and_keeps_other_files(
    invoke: Invoke, bucket: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "notes.txt").write_text("mine")
    assert invoke("--isolated", "--cache-dir", "cache", "bucket").exit_code == 0
    kept = sorted(p.name for p in cache.iterdir())
    assert kept == ["images-v3.json", "notes.txt", "results-v1"]

    result = invoke("clean", "--cache-dir", "cache")
    assert result.exit_code == 0
    assert result.stdout.startswith("metalint: removed the caches in cache (2 files, ")
    assert [p.name for p in cache.iterdir()] == ["notes.txt"]
    again = invoke("clean", "--cache-dir", "cache")
    assert (again.exit_code, again.stdout) == (0, "metalint: no caches in cache\n")


def test_clean_finds_the_folder_the_configuration_names_and_removes_it_once_empty(
    invoke: Invoke, bucket: Path, tmp_path: Path
) -> None:
    (tmp_path / "metalint.toml").write_text('cache-dir = ".cache/metalint"\n')
    assert invoke("bucket").exit_code == 0
    cache = tmp_path / ".cache" / "metalint"
    assert (cache / "results-v1").is_dir()
    assert not (tmp_path / "xdg").exists()  # the default folder was not used

    result = invoke("clean")
    assert result.exit_code == 0 and str(cache) in result.stdout
    assert not cache.exists()


def test_clean_without_any_setting_empties_the_default_folder(
    invoke: Invoke, bucket: Path, tmp_path: Path
) -> None:
    assert invoke("--isolated", "bucket").exit_code == 0
    default = tmp_path / "xdg" / "metalint"
    assert (default / "images-v3.json").is_file()
    assert invoke("clean").exit_code == 0
    assert not default.exists()


def test_a_broken_configuration_is_a_usage_error(
    invoke: Invoke, bucket: Path, tmp_path: Path
) -> None:
    (tmp_path / "metalint.toml").write_text("cache-dir = [\n")
    result = invoke("clean")
    assert result.exit_code == 2 and "metalint.toml" in result.stderr
