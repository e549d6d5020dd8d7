"""`metalint rule CODE|NAME` and `metalint rules`: the rule documentation on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke

from metalint import cli
from metalint.rules import all_rules


def test_rule_by_code_and_by_name(invoke: Invoke) -> None:
    rule = all_rules()[0]
    by_code = invoke("rule", rule.code.lower())
    by_name = invoke("rule", rule.name)
    assert by_code.exit_code == 0 and by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    head = by_code.stdout.splitlines()[:5]
    assert head == [
        f"{rule.code} {rule.name}",
        f"Severity: {rule.severity.value}",
        f"Scope: {rule.scope.value}",
        f"Fixable: {'yes' if rule.fixable else 'no'}",
        "",
    ]
    assert rule.doc in by_code.stdout
    assert "## What it does" in by_code.stdout


def test_unknown_rule_exits_2_with_a_suggestion(invoke: Invoke) -> None:
    result = invoke("rule", "file-nam")
    assert result.exit_code == 2
    assert "unknown rule 'file-nam'; did you mean file-name?" in result.stderr


@pytest.mark.parametrize("word", ["frobnicate", "ML10", "ML1011", "format"])
def test_an_unrelated_word_draws_no_suggestion(invoke: Invoke, word: str) -> None:
    result = invoke("rule", word)
    assert result.exit_code == 2
    assert f"unknown rule {word!r}; see 'metalint rules'" in result.stderr


def test_rules_lists_every_rule(invoke: Invoke) -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "summary"]
    rules = all_rules()
    assert len(lines) == len(rules) + 1
    for line, rule in zip(lines[1:], rules, strict=True):
        code, name, severity, fix, *summary = line.split()
        assert (code, name, severity) == (rule.code, rule.name, rule.severity.value)
        assert fix == ("yes" if rule.fixable else "-")
        assert " ".join(summary) == " ".join(rule.summary.split())


def test_rules_as_json(invoke: Invoke) -> None:
    rows = json.loads(invoke("rules", "--format", "json").stdout)
    assert [row["code"] for row in rows] == [rule.code for rule in all_rules()]
    assert set(rows[0]) == {"code", "name", "severity", "scope", "fixable", "summary"}


def test_a_path_named_rules_is_linted_with_dot_slash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "increment.meta").write_text('{"OperationType": "add"}\n')
    assert cli.main(["rules"]) == 0
    listed = capsys.readouterr()
    assert "file-name" in listed.out
    assert "write './rules'" in listed.err
    assert cli.main(["--isolated", "--no-images", "./rules"]) == 1
    assert "rules/increment.meta:1:" in capsys.readouterr().out
