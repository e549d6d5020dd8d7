"""One snapshot per output format, on the example bucket (images skipped, so it is stable).

To accept a deliberate change of output, run:

    METALINT_UPDATE_SNAPSHOTS=1 pytest tests/cli/test_cli_snapshots.py

and review the diff of tests/cli/snapshots/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, Invoke

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("METALINT_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize(
    "fmt", ["text", "full", "concise", "json", "json-lines", "github", "gitlab", "junit"]
)
def test_example_bucket(fmt: str, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = invoke(
        "--format", fmt, "--color", "never", "--no-images", "--isolated", "examples/bucket"
    )
    assert result.exit_code == 1, result.output
    snapshot = SNAPSHOTS / f"bucket.{fmt}"
    if UPDATE:
        snapshot.write_text(result.stdout, encoding="utf-8")
    assert snapshot.exists(), "no snapshot yet: run with METALINT_UPDATE_SNAPSHOTS=1"
    assert result.stdout == snapshot.read_text(encoding="utf-8")
