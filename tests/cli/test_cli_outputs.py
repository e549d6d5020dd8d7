"""Several outputs in one run, --output-file, --statistics and --fail-on."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, ERROR_LINE, WARNING_LINE, Invoke


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "increment.meta").write_text(
        "\n".join((CLEAN_LINE, ERROR_LINE, WARNING_LINE)) + "\n", encoding="utf-8"
    )


def lint(invoke: Invoke, *args: str) -> tuple[int, str, str]:
    result = invoke("--no-images", "--isolated", *args, ".")
    return result.exit_code, result.stdout, result.stderr


def test_every_output_gets_the_same_findings(invoke: Invoke, tmp_path: Path) -> None:
    code, out, _ = lint(
        invoke, "--format", "concise", "--format", "json:r/a.json", "--format", "junit:b.xml"
    )
    assert code == 1
    assert out.splitlines()[:2] == [
        'increment.meta:2:19: ML102 OperationType "add" is not ADD or DELETE (the value is '
        "case-sensitive)",
        "increment.meta:3:86: ML109 unknown key 'ProductID'; did you mean 'ProductId'? (the "
        "service ignores it)",
    ]
    assert [(f["line"], f["code"]) for f in json.loads((tmp_path / "r/a.json").read_text())] == [
        (2, "ML102"),
        (3, "ML109"),
    ]
    assert (tmp_path / "b.xml").read_text().count("<failure ") == 2


def test_a_file_output_has_no_colours(invoke: Invoke, tmp_path: Path) -> None:
    lint(invoke, "--color", "always", "--format", "text", "--format", "text:plain.txt")
    text = (tmp_path / "plain.txt").read_text()
    assert "\033[" not in text and "increment.meta:2:19: ML102" in text


def test_output_file(invoke: Invoke, tmp_path: Path) -> None:
    code, out, _ = lint(invoke, "--format", "json", "-o", "out.json")
    assert code == 1 and out == ""
    assert len(json.loads((tmp_path / "out.json").read_text())) == 2


def test_a_report_replaces_the_old_one_keeping_its_permissions(
    invoke: Invoke, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    report.write_text("old")
    os.chmod(report, 0o640)
    lint(invoke, "--format", "json:report.json")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert json.loads(report.read_text())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_a_new_report_gets_the_usual_permissions(invoke: Invoke, tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        lint(invoke, "--format", "json:new.json")
    finally:
        os.umask(mask)
    # The mask is read once per process; whatever it was, the file is not private to its owner
    # the way a temporary file is.
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) & 0o040


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--format", "text"], "json, text would all write to standard output"),
        (["--format", "json:"], "no path after ':'"),
        (["--format", "xml:out.xml"], "'xml' is not one of"),
        (["--format", "json:a.json", "-o", "b.json"], "--output-file takes the place of"),
    ],
)
def test_outputs_that_cannot_be_asked_for(invoke: Invoke, args: list[str], message: str) -> None:
    code, _, err = lint(invoke, *args)
    assert code == 2
    assert message in err


def test_an_output_that_cannot_be_written(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    code, _, err = lint(invoke, "--format", "json:blocker/out.json")
    assert code == 2
    assert "cannot write blocker/out.json" in err


def test_statistics(invoke: Invoke) -> None:
    code, out, _ = lint(invoke, "--statistics")
    assert code == 1
    assert out.splitlines() == [
        "1  ML102  invalid-operation-type  [*]",
        "1  ML109  unknown-field",
        "[*] some findings of this rule carry a fix",
    ]


def test_statistics_beside_a_file_output(invoke: Invoke, tmp_path: Path) -> None:
    _, out, _ = lint(invoke, "--statistics", "--format", "json:all.json")
    assert out.startswith("1  ML102")
    assert len(json.loads((tmp_path / "all.json").read_text())) == 2


@pytest.mark.parametrize(
    ("fail_on", "select", "code"),
    [
        ("error", "ML109", 0),
        ("warning", "ML109", 1),
        ("info", "ML109", 1),
        ("error", "ML102", 1),
    ],
)
def test_fail_on(invoke: Invoke, fail_on: str, select: str, code: int) -> None:
    assert lint(invoke, "--fail-on", fail_on, "--select", select)[0] == code


def test_show_settings(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METALINT_NO_CACHE", raising=False)
    (tmp_path / "shop").mkdir()
    (tmp_path / "metalint.toml").write_text(
        'service = "cloth"\nignore = ["ML3"]\nexclude = ["old"]\n[severity]\nML203 = "error"\n'
    )
    result = invoke("--show-settings", "--cache-dir", "cache", "shop")
    assert result.exit_code == 0
    shown = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("  ")
        shown[name.strip()] = value.strip()
    assert shown["configuration file"] == str(tmp_path / "metalint.toml")
    assert shown["service"] == "cloth"
    assert shown["disabled rules"].split()[0] == "ML301"
    assert shown["severities"] == "ML203 = error"
    assert shown["exclude"] == "old"
    assert shown["cache"] == str(tmp_path / "cache")


def test_cache_dir_holds_the_caches(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METALINT_NO_CACHE", raising=False)
    # A result is kept only for a manifest not modified in the last seconds.
    os.utime(tmp_path / "increment.meta", (1_700_000_000, 1_700_000_000))
    result = invoke("--isolated", "--no-images", "--cache-dir", "here", ".")
    assert result.exit_code == 1
    assert any((tmp_path / "here").iterdir())
