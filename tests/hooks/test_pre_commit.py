"""The pre-commit hook, run by pre-commit itself on a repository of manifests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import piexif
import pytest
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GOOD = '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}\n'
BAD = '{"OperationType": "add", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}\n'


HOOKS_BY_ID = {hook["id"]: hook for hook in HOOKS}
MANIFESTS = ["increment.meta", "bucket/increment.meta", "a/b/increment.meta"]
NEAR_MISSES = ["Increment.meta", "b2/INCREMENT.META", "increment.json", "x/increment.meta.txt"]
IMAGES = ["a.jpg", "bucket/b.JPEG", "c/d.Png", "e.webp", "f.tif", "g.TIFF", "h.bmp", "i.ppm"]
OTHERS = ["myincrement.meta", "x/increment.py", "README.md", "a.jpg.txt", "jpg", "increment"]


def matches(hook: dict[str, object], name: str) -> bool:
    return re.search(str(hook["files"]), name) is not None


def test_the_lint_hook_takes_manifests_near_misses_and_images() -> None:
    hook = HOOKS_BY_ID["metalint"]
    assert hook["entry"] == "metalint"
    for name in MANIFESTS + NEAR_MISSES + IMAGES:
        assert matches(hook, name), name
    for name in OTHERS:
        assert not matches(hook, name), name


def test_the_fix_hook_takes_manifests_and_near_misses_only() -> None:
    hook = HOOKS_BY_ID["metalint-fix"]
    assert hook["entry"] == "metalint --fix --exit-non-zero-on-fix"
    for name in MANIFESTS + NEAR_MISSES:
        assert matches(hook, name), name
    for name in IMAGES + OTHERS:
        assert not matches(hook, name), name


def outside_env(**extra: str) -> dict[str, str]:
    """The environment without git's own variables: run from a git hook or ``git rebase -x``,
    they would point every git command here at the repository under test instead."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    return {**kept, **extra}


def git(folder: Path, *args: str) -> None:
    command = ["git", "-C", str(folder), *args]
    subprocess.run(command, check=True, capture_output=True, env=outside_env())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "bucket").mkdir(parents=True)
    Image.new("RGB", (120, 120), (200, 30, 30)).save(folder / "bucket" / "a.jpg")
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "ci@example.invalid")
    git(folder, "config", "user.name", "ci")
    return folder


def try_repo(project: Path, home: Path, hook: str = "metalint") -> subprocess.CompletedProcess[str]:
    """Run ``hook`` from this repository's working tree on what is staged, as a commit would."""
    # The interpreter running the tests has pre-commit (a test dependency), whatever PATH says.
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook]
    return subprocess.run(
        [*command, "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env=outside_env(PRE_COMMIT_HOME=str(home)),
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit home for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def commit(project: Path) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "state")


@pytest.mark.slow
def test_a_bad_manifest_is_refused_and_a_good_one_passes(project: Path, home: Path) -> None:
    manifest = project / "bucket" / "increment.meta"
    manifest.write_text(BAD, encoding="utf-8")
    git(project, "add", "-A")
    failed = try_repo(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bucket/increment.meta:1:19: ML102" in failed.stdout

    manifest.write_text(GOOD, encoding="utf-8")
    git(project, "add", "-A")
    passed = try_repo(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_a_commit_that_only_rotates_an_image_is_refused(project: Path, home: Path) -> None:
    other = '{"OperationType": "ADD", "ProductId": "2", "PicName": "b.jpg", "CustomContent": ""}\n'
    (project / "bucket" / "increment.meta").write_text(GOOD + other, encoding="utf-8")
    Image.new("RGB", (120, 120)).save(project / "bucket" / "b.jpg")
    commit(project)
    rotated = piexif.dump({"0th": {piexif.ImageIFD.Orientation: 6}})
    Image.new("RGB", (120, 120), (0, 90, 0)).save(project / "bucket" / "a.jpg", exif=rotated)
    git(project, "add", "-A")
    failed = try_repo(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bucket/increment.meta:1:" in failed.stdout and "ML307" in failed.stdout
    assert "increment.meta:2:" not in failed.stdout  # b.jpg did not change


@pytest.mark.slow
def test_a_mistyped_manifest_name_is_refused(project: Path, home: Path) -> None:
    (project / "b2").mkdir()
    (project / "b2" / "Increment.meta").write_text(GOOD, encoding="utf-8")
    git(project, "add", "-A")
    failed = try_repo(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "b2/Increment.meta:1:1: ML001" in failed.stdout


@pytest.mark.slow
def test_the_fix_hook_fixes_then_passes(project: Path, home: Path) -> None:
    manifest = project / "bucket" / "increment.meta"
    manifest.write_text(BAD, encoding="utf-8")
    git(project, "add", "-A")
    fixed = try_repo(project, home, "metalint-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert manifest.read_text(encoding="utf-8") == GOOD
    git(project, "add", "-A")
    passed = try_repo(project, home, "metalint-fix")
    assert passed.returncode == 0, passed.stdout + passed.stderr
