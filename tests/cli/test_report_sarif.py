"""The sarif format: checked against the SARIF 2.1.0 schema and by Microsoft's validator with
GitHub code scanning's ingestion rules (``make test`` installs it with npm)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import CLEAN_LINE, ERROR_LINE, REPO, Invoke

from metalint.rules import all_rules

VALIDATOR_DIR = REPO / "node_modules" / "@microsoft" / "sarif-multitool-linux"
VALIDATOR = VALIDATOR_DIR / "Sarif.Multitool"
SCHEMA = VALIDATOR_DIR / "sarif-2.1.0.json"


def sarif(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke("--format", "sarif", "--no-images", "--isolated", *args)
    assert result.exit_code in (0, 1), result.output
    log: dict[str, Any] = json.loads(result.stdout)
    return log


@pytest.fixture
def bucket_log(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(REPO)
    return sarif(invoke, "examples/bucket")


def test_results_point_at_rules_with_relative_uris(bucket_log: dict[str, Any]) -> None:
    (run,) = bucket_log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in all_rules()]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {
            "uri": "examples/bucket/increment.meta",
            "uriBaseId": "%SRCROOT%",
        }
        assert location["region"]["startLine"] >= 1
    fixed = next(r for r in run["results"] if r["ruleId"] == "ML102")
    (replacement,) = fixed["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"] == {"text": '"ADD"'}
    duplicate = next(r for r in run["results"] if r["ruleId"] == "ML203")
    assert duplicate["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_absolute_paths_outside_the_folder_become_file_uris(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "elsewhere" / "increment.meta"
    manifest.parent.mkdir()
    manifest.write_text(ERROR_LINE + "\n")
    monkeypatch.chdir(REPO)
    (run,) = sarif(invoke, str(manifest))["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {manifest.as_uri()}


def test_an_empty_run_is_a_valid_log(invoke: Invoke, tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(CLEAN_LINE + "\n")
    (run,) = sarif(invoke, str(manifest))["runs"]
    assert run["results"] == []


def require_validator() -> None:
    if not VALIDATOR.exists():
        message = "the SARIF validator is not installed: run `make test` (needs npm)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs npm: a skip there would hide a broken setup
        pytest.skip(message)
    if not os.access(VALIDATOR, os.X_OK):
        # npm may be configured not to run the package's postinstall script that sets this.
        VALIDATOR.chmod(VALIDATOR.stat().st_mode | 0o100)


def test_the_log_matches_the_sarif_schema(bucket_log: dict[str, Any]) -> None:
    require_validator()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bucket_log))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.slow
def test_microsoft_validator_with_github_rules(bucket_log: dict[str, Any], tmp_path: Path) -> None:
    require_validator()
    log = tmp_path / "metalint.sarif"
    log.write_text(json.dumps(bucket_log), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    completed = subprocess.run(
        [str(VALIDATOR), "validate", "--rule-kind", "Gh;Sarif", "-o", str(report), str(log)],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout.decode() + completed.stderr.decode()
    findings = json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]
    problems = [
        f"{r['ruleId']} {r.get('level', 'warning')}: {r['message'].get('arguments')}"
        for r in findings
    ]
    assert not problems, problems
