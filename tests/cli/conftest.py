"""Shared helpers for the command-line tests: manifests on disk and in-process runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from metalint.cli import app_for

CLEAN_LINE = '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}'
ERROR_LINE = '{"OperationType": "add", "ProductId": "2", "PicName": "b.jpg", "CustomContent": "x"}'
WARNING_LINE = (
    '{"OperationType": "ADD", "ProductId": "3", "PicName": "c.jpg", "CustomContent": "x",'
    ' "ProductID": "3"}'
)
"""A line whose only finding is a warning (an unknown key)."""

REPO = Path(__file__).resolve().parents[2]

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run metalint in process through typer's CliRunner, as ``main`` would dispatch it."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name in ("FORCE_COLOR", "GITHUB_ACTIONS", "METALINT_FORMAT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, stdin: bytes | None = None) -> Result:
        return CliRunner().invoke(app_for(args), list(args), input=stdin)

    return run


@pytest.fixture
def manifest(tmp_path: Path) -> Callable[..., Path]:
    """Write ``lines`` as ``tmp_path/<folder>/<name>`` and return its path."""

    def write(*lines: str, name: str = "increment.meta", folder: str = "bucket") -> Path:
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    return write
