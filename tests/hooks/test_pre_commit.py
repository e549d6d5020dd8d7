"""The pre-commit hook, run by pre-commit itself on a repository of manifests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GOOD = '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}\n'
BAD = '{"OperationType": "add", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}\n'


def test_the_hook_runs_metalint_on_manifests_only() -> None:
    (hook,) = HOOKS
    assert hook["id"] == "metalint"
    assert hook["entry"] == "metalint"
    pattern = re.compile(hook["files"])
    for name in ("increment.meta", "bucket/increment.meta", "a/b/increment.meta"):
        assert pattern.search(name), name
    for name in ("increment.meta.txt", "Increment.meta", "myincrement.meta", "x/increment.json"):
        assert not pattern.search(name), name


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


def try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # The interpreter running the tests has pre-commit (a test dependency), whatever PATH says.
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "metalint"]
    return subprocess.run(
        [*command, "--all-files", "--color", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env=outside_env(PRE_COMMIT_HOME=str(home)),
    )


@pytest.mark.slow
def test_pre_commit_runs_the_hook(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    manifest = project / "bucket" / "increment.meta"
    manifest.write_text(BAD, encoding="utf-8")
    git(project, "add", "-A")
    failed = try_repo(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "ML102" in failed.stdout
    assert "bucket/increment.meta:1:19" in failed.stdout

    manifest.write_text(GOOD, encoding="utf-8")
    git(project, "add", "-A")
    passed = try_repo(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
