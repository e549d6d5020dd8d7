"""The --format json contract of design.md: one array of findings with 1-based positions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CLEAN_LINE, ERROR_LINE, Invoke

Manifest = Callable[..., Path]

REQUIRED = {
    "path": str,
    "line": int,
    "column": int,
    "end_line": int,
    "end_column": int,
    "code": str,
    "name": str,
    "severity": str,
    "message": str,
}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def findings(invoke: Invoke, *args: str, stdin: bytes | None = None) -> list[dict[str, Any]]:
    result = invoke("--format", "json", "--no-images", "--isolated", *args, stdin=stdin)
    assert result.exit_code in (0, 1), result.output
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, list)
    return parsed


def check_position(obj: dict[str, Any]) -> None:
    for key in ("line", "column", "end_line", "end_column"):
        assert isinstance(obj[key], int) and obj[key] >= 1
    assert (obj["end_line"], obj["end_column"]) > (obj["line"], obj["column"])


def test_every_finding_has_the_contract_fields(invoke: Invoke, manifest: Manifest) -> None:
    lines = [CLEAN_LINE, ERROR_LINE, CLEAN_LINE, '{"OperationType": "ADD", "ProductId": 7}', "[]"]
    found = findings(invoke, str(manifest(*lines)))
    assert found
    for obj in found:
        for key, kind in REQUIRED.items():
            assert isinstance(obj[key], kind), (key, obj)
        assert obj["severity"] in {"error", "warning", "info"}
        assert obj["code"].startswith("ML") and len(obj["code"]) == 5
        assert obj["key"] is None or isinstance(obj["key"], str)
        assert isinstance(obj["related"], list)
        check_position(obj)
        fix = obj["fix"]
        if fix is not None:
            assert isinstance(fix["description"], str)
            for edit in fix["edits"]:
                assert set(edit) == {"line", "column", "end_line", "end_column", "new_text"}
                assert isinstance(edit["new_text"], str)
                assert edit["line"] >= 1 and edit["column"] >= 1


def test_positions_are_1_based_character_columns(invoke: Invoke, manifest: Manifest) -> None:
    line = '{"ProductId": "商品", "OperationType": "add", "PicName": "a.jpg", "CustomContent": ""}'
    (found,) = [f for f in findings(invoke, str(manifest(line))) if f["code"] == "ML102"]
    start = line.index('"add"')
    assert (found["line"], found["column"]) == (1, start + 1)
    assert (found["end_line"], found["end_column"]) == (1, start + 1 + len('"add"'))
    assert found["key"] == "OperationType"
    (edit,) = found["fix"]["edits"]
    assert edit["new_text"] == '"ADD"'
    assert (edit["column"], edit["end_column"]) == (found["column"], found["end_column"])


def test_file_level_findings_use_line_1_column_1(invoke: Invoke, manifest: Manifest) -> None:
    found = findings(invoke, str(manifest(CLEAN_LINE, name="increment.json")))
    (name,) = [f for f in found if f["code"] == "ML001"]
    assert (name["line"], name["column"]) == (1, 1)


def test_related_locations(invoke: Invoke, manifest: Manifest) -> None:
    found = findings(invoke, str(manifest(CLEAN_LINE, ERROR_LINE, CLEAN_LINE)))
    duplicate = next(f for f in found if f["related"])
    (related,) = duplicate["related"][:1]
    assert set(related) == {"path", "line", "column", "end_line", "end_column", "message"}
    assert related["line"] == 1 and duplicate["line"] == 3


def test_no_findings_is_an_empty_array(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--format", "json", "--no-images", "--isolated", str(manifest(CLEAN_LINE)))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stdout == "[]\n"


def test_json_from_stdin(invoke: Invoke) -> None:
    data = f"{ERROR_LINE}\n".encode()
    found = findings(invoke, "--stdin-filename", "s/increment.meta", "-", stdin=data)
    assert {f["path"] for f in found} == {"s/increment.meta"}


def test_json_is_never_coloured_or_summarised(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke(
        "--format", "json", "--color", "always", "--no-images", "--isolated",
        str(manifest(ERROR_LINE)),
    )  # fmt: skip
    assert "\033[" not in result.stdout
    assert isinstance(json.loads(result.stdout), list)


def test_output_is_utf8_with_only_lone_surrogates_escaped(
    invoke: Invoke, manifest: Manifest
) -> None:
    # Findings are encoded in batches: the one that quotes a lone surrogate takes another
    # encoder, and the findings around it must come out as every other one does.
    odd = CLEAN_LINE[:-1] + ', "\\udc00ж": 1, "ключ": 2}'
    lines = [ERROR_LINE] * 300 + [odd] + [ERROR_LINE] * 5
    result = invoke("--format", "json", "--no-images", "--isolated", str(manifest(*lines)))
    raw = result.stdout_bytes
    assert "ключ".encode() in raw and b"\\u043a" not in raw
    # The key with the surrogate: its other letter as it is, the surrogate an escape.
    assert '"key": "\\udc00ж"'.encode() in raw and b"\\u0436" not in raw
    found = json.loads(raw)
    keys = [f["key"] for f in found if f["code"] == "ML109"]
    assert keys == ["\udc00ж", "ключ"]
    lines_with_findings = [f["line"] for f in found if f["code"] == "ML102"]
    assert lines_with_findings == [*range(1, 301), *range(302, 307)]
