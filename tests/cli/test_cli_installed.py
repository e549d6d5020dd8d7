"""The installed `metalint` command, run as a user runs it: exit statuses, stdin and imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, ERROR_LINE, REPO

pytestmark = pytest.mark.slow


def metalint_command() -> str:
    found = shutil.which("metalint", path=str(Path(sys.executable).parent))
    assert found, "the metalint console script is not installed next to this Python"
    return found


def run(*args: str, stdin: bytes = b"", cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "METALINT_DEBUG"}}
    return subprocess.run(
        [metalint_command(), *args], input=stdin, capture_output=True, cwd=cwd, env=env, check=False
    )


def test_exit_statuses(tmp_path: Path) -> None:
    clean = tmp_path / "clean" / "increment.meta"
    broken = tmp_path / "broken" / "increment.meta"
    for path, line in ((clean, CLEAN_LINE), (broken, ERROR_LINE)):
        path.parent.mkdir()
        path.write_text(line + "\n")
    assert run("--isolated", "--no-images", str(clean)).returncode == 0
    assert run("--isolated", "--no-images", str(broken)).returncode == 1
    assert run("--isolated", "--no-images", "--exit-zero", str(broken)).returncode == 0
    usage = run("--format", "xml", str(clean))
    assert usage.returncode == 2
    assert b"Traceback" not in usage.stderr


def test_stdin_json(tmp_path: Path) -> None:
    result = run(
        "--isolated", "--no-images", "--format", "json", "--stdin-filename",
        "bucket/increment.meta", "-",
        stdin=f"{ERROR_LINE}\r\n".encode(), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert {"ML009", "ML102"} <= {f["code"] for f in found}
    assert {f["path"] for f in found} == {"bucket/increment.meta"}


def test_binary_input_is_reported_not_crashed(tmp_path: Path) -> None:
    result = run("--isolated", "--no-images", "-", stdin=b"\xff\xfe\x00garbage\n", cwd=tmp_path)
    assert result.returncode == 1
    assert b"ML002" in result.stdout
    assert b"Traceback" not in result.stderr


def test_python_m_metalint() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metalint", "--version"], capture_output=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.decode().startswith("metalint ")


def test_heavy_modules_stay_unimported_without_images(tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(CLEAN_LINE + "\n")
    probe = (
        "import sys\n"
        "from metalint.cli import main\n"
        f"main(['--isolated', '--no-images', '-q', {str(manifest)!r}])\n"
        "print(sorted(m for m in ('PIL', 'rich', 'pygls', 'jsonschema') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False)
    assert result.stdout.decode().splitlines()[-1] == "[]"


def test_a_terminal_that_cannot_encode_the_manifest(tmp_path: Path) -> None:
    line = '{"OperationType": "ADD", "ProductId": "商品", "PicName": "图.jpg", "CustomContent": "",'
    line += ' "ProductID": 1}'
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [metalint_command(), "--isolated", "--no-images", "--color", "always", "-"],
        input=(line + "\n").encode(),
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"\\u5546\\u54c1" in result.stdout
